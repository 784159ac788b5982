// Diary day: fill a drink row's volume and strength from its preset, and show its grams.
// The page works without this script (blank volume and strength mean the preset's values).
(function () {
  "use strict";
  var presets = JSON.parse(document.getElementById("beverage-presets").textContent);
  var drinkGrams = JSON.parse(document.getElementById("drink-grams").textContent);
  var yes = document.querySelector('input[name="drank"][value="yes"]');
  var ETHANOL_DENSITY = 0.789; // g/ml, as core/guidelines.py; display only, the server recomputes.
  document.querySelectorAll(".drink-row").forEach(function (row) {
    var select = row.querySelector("select");
    var inputs = row.querySelectorAll("input");
    var count = inputs[0], volume = inputs[1], abv = inputs[2];
    var out = row.querySelector("output");
    function show() {
      var n = parseFloat(count.value), v = parseFloat(volume.value), a = parseFloat(abv.value);
      if (select.value && n > 0 && v > 0 && a >= 0) {
        var grams = n * v * a / 100 * ETHANOL_DENSITY;
        out.textContent = grams.toFixed(0) + " g = " + (grams / drinkGrams).toFixed(1) + " std";
      } else { out.textContent = ""; }
    }
    select.addEventListener("change", function () {
      var p = presets[select.value];
      // Choosing a drink answers "Did you drink alcohol?" (the server reads drinks without an answer as yes).
      if (select.value && yes) { yes.checked = true; }
      if (p) { volume.value = p.volume_ml; abv.value = p.abv_percent; if (!count.value) { count.value = 1; } }
      show();
    });
    [count, volume, abv].forEach(function (el) { el.addEventListener("input", show); });
    show();
  });
})();
