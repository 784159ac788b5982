# Reference endpoints for the bundled sample diary, computed independently in base R.
# Regenerate from the repository root:
#   Rscript tests/reference/endpoints/endpoints.R
# Writes tests/reference/endpoints/sample_endpoints_r.csv (17 significant digits).
# Rules as in docs/methods/endpoints.md: day 1 = start date, no day 0; blank or absent
# days are not reported; FDA heavy day >= 56 g (F) / >= 70 g (M); WHO levels from mean
# grams per reported day with inclusive upper bounds F 20/40/60, M 40/60/100.
data_dir <- "src/baclotrack/data"
diary <- read.csv(file.path(data_dir, "sample_diary.csv"), colClasses = c(patient_id = "character", date = "Date"))
patients <- read.csv(file.path(data_dir, "sample_patients.csv"), colClasses = c(start_date = "Date"))
drink_g <- c(US = 14, UK = 8, FR = 10, AU = 10, CA = 13.45, WHO = 10)
heavy_g <- c(F = 56, M = 70)
who_bounds <- list(F = c(20, 40, 60), M = c(40, 60, 100))
windows <- data.frame(name = c("baseline", "week1-4", "week5-8", "week9-12", "treatment"),
                      first = c(-28, 1, 29, 57, 1), last = c(-1, 28, 56, 84, 84))
rows <- list()
for (p in seq_len(nrow(patients))) {
  pt <- patients[p, ]
  mine <- diary[diary$patient_id == pt$patient_id, ]
  offset <- as.integer(mine$date - pt$start_date)
  day <- ifelse(offset >= 0, offset + 1, offset)
  for (w in seq_len(nrow(windows))) {
    win <- windows[w, ]
    drinks <- mine$drinks[day >= win$first & day <= win$last]
    drinks <- drinks[!is.na(drinks)]
    grams <- drinks * drink_g[[pt$country]]
    n <- length(drinks)
    drinking <- sum(drinks > 0)
    hdd <- sum(grams >= heavy_g[[pt$sex]])
    na <- NA_real_
    gpd <- if (n > 0) sum(grams) / n else na
    level <- if (n == 0) NA_integer_ else if (drinking == 0) 0L else 1L + sum(gpd > who_bounds[[pt$sex]])
    rows[[length(rows) + 1]] <- data.frame(
      patient_id = pt$patient_id, window = win$name, days = win$last - win$first + 1,
      days_reported = n, drinking_days = drinking,
      pda = if (n > 0) 100 * (n - drinking) / n else na, hdd = hdd,
      phdd = if (n > 0) 100 * hdd / n else na,
      drinks_per_day = if (n > 0) sum(drinks) / n else na,
      drinks_per_drinking_day = if (drinking > 0) sum(drinks) / drinking else na,
      grams_per_day = gpd, who_level = level)
  }
}
out <- do.call(rbind, rows)
num <- c("pda", "phdd", "drinks_per_day", "drinks_per_drinking_day", "grams_per_day")
for (col in num) out[[col]] <- ifelse(is.na(out[[col]]), "", sprintf("%.17g", out[[col]]))
write.csv(out, "tests/reference/endpoints/sample_endpoints_r.csv", row.names = FALSE, na = "", quote = FALSE)
