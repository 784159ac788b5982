# Reference values for baclotrack's Emax fit (src/baclotrack/analysis/emax.py).
#
# Regenerate from the repository root with:
#   Rscript tests/reference/doseresponse/reference.R
# It writes the three data sets (emax_*.csv) and reference.json beside this script.
# Tests read the CSV and JSON files and never run R.
#
# The data are synthetic N-of-1 titrations (a seeded draw, below), shaped like diaries:
# daily craving 0-10 against the daily dose. The model is R's nls with the default
# Gauss-Newton algorithm; intervals are confint() on the fit, i.e. MASS's profile-t
# intervals (spline-interpolated profile, level 0.95).
suppressPackageStartupMessages(library(MASS))
library(stats)

here <- local({
  args <- commandArgs(trailingOnly = FALSE)
  file <- sub("^--file=", "", args[grep("^--file=", args)])
  if (length(file) == 1) dirname(normalizePath(file)) else "."
})

set.seed(20261127)
emax <- function(d, e0, em, ed50) e0 - em * d / (ed50 + d)

# 1. A RESAB-like slow titration: 14 baseline days, then 15 mg steps of 5 days to 150 mg;
#    craving recorded as whole numbers 0-10.
d1 <- c(rep(0, 14), rep(seq(15, 150, by = 15), each = 5))
y1 <- pmin(10, pmax(0, round(emax(d1, 7, 6, 40) + rnorm(length(d1), 0, 0.8))))

# 2. Ameisen-like fast escalation: 30 mg/day, +20 mg every third day to 270 mg/day;
#    a high ED50, whole-number craving.
d2 <- c(rep(0, 7), rep(seq(30, 270, by = 20), each = 3))
y2 <- pmin(10, pmax(0, round(emax(d2, 8, 7, 120) + rnorm(length(d2), 0, 1))))

# 3. Dose in mg/kg/day at five levels, continuous response (a weekly mean, say).
d3 <- rep(c(0, 0.25, 0.5, 1, 2, 3), each = 8)
y3 <- emax(d3, 6.5, 5, 0.6) + rnorm(length(d3), 0, 0.8)

sets <- list(
  steps_15mg = data.frame(dose = d1, response = y1),
  ameisen_like = data.frame(dose = d2, response = y2),
  mg_per_kg = data.frame(dose = d3, response = y3)
)
starts <- list(
  steps_15mg = list(e0 = 7, emax = 5, ed50 = 50),
  ameisen_like = list(e0 = 8, emax = 6, ed50 = 100),
  mg_per_kg = list(e0 = 6, emax = 4, ed50 = 1)
)

num <- function(x) formatC(x, digits = 15, format = "g")
out <- character()
for (name in names(sets)) {
  df <- sets[[name]]
  write.csv(df, file.path(here, paste0("emax_", name, ".csv")), row.names = FALSE)
  fit <- nls(response ~ e0 - emax * dose / (ed50 + dose), data = df, start = starts[[name]])
  co <- summary(fit)$coefficients
  ci <- suppressMessages(confint(fit, level = 0.95))
  par <- c("e0", "emax", "ed50")
  entry <- sprintf(
    paste0('  "%s": {"estimate": {%s}, "se": {%s}, "ci_lower": {%s}, "ci_upper": {%s}, ',
           '"sigma": %s, "df": %d, "rss": %s}'),
    name,
    paste(sprintf('"%s": %s', par, num(co[par, "Estimate"])), collapse = ", "),
    paste(sprintf('"%s": %s', par, num(co[par, "Std. Error"])), collapse = ", "),
    paste(sprintf('"%s": %s', par, num(ci[par, 1])), collapse = ", "),
    paste(sprintf('"%s": %s', par, num(ci[par, 2])), collapse = ", "),
    num(summary(fit)$sigma), df.residual(fit), num(deviance(fit))
  )
  out <- c(out, entry)
}
meta <- sprintf('  "_generated_by": "%s, MASS %s, nls + confint (profile t, level 0.95)"',
                R.version.string, packageVersion("MASS"))
writeLines(c("{", paste(c(meta, out), collapse = ",\n"), "}"), file.path(here, "reference.json"))
