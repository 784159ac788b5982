# Reference values for baclotrack's trial analysis (tests/analysis/test_trial_against_r.py).
# Run from the repository root after make_data.py:   Rscript tests/reference/trial/reference.R
# Needs lme4, geepack and jsonlite (Debian: r-cran-lme4 r-cran-geepack r-cran-jsonlite).
# Writes tests/reference/trial/reference.json with 17 significant digits.
suppressPackageStartupMessages({
  library(lme4)
  library(geepack)
  library(jsonlite)
})

here <- "tests/reference/trial"
designs <- c("addolorato", "unbalanced", "flatslope")

# lme4's default optimiser (nloptwrap/BOBYQA) stops at about 1e-6 in theta; the reference is the
# optimum itself, so the tolerances are tightened (docs/methods/trial-analysis.md explains why).
tight <- lmerControl(optimizer = "nloptwrap",
                     optCtrl = list(ftol_abs = 1e-15, ftol_rel = 1e-15, xtol_abs = 1e-13,
                                    xtol_rel = 1e-13, maxeval = 100000))

prepare <- function(name) {
  patients <- read.csv(file.path(here, paste0(name, "_patients.csv")), stringsAsFactors = FALSE)
  diary <- read.csv(file.path(here, paste0(name, "_diary.csv")), stringsAsFactors = FALSE)
  diary <- merge(diary, patients[, c("patient_id", "start_date")], by = "patient_id")
  offset <- as.integer(as.Date(diary$date) - as.Date(diary$start_date))
  diary$day <- ifelse(offset >= 0, offset + 1L, offset)   # day 1 = start_date, no day 0
  diary <- diary[!is.na(diary$drinks), ]
  base <- aggregate(drinks ~ patient_id, diary[diary$day >= -28 & diary$day <= -1, ], mean)
  names(base)[2] <- "baseline"
  treat <- aggregate(drinks ~ patient_id, diary[diary$day >= 1 & diary$day <= 84, ], mean)
  names(treat)[2] <- "treatment"
  on <- diary[diary$day >= 1 & diary$day <= 84, ]
  on$week <- (on$day - 1L) %/% 7L + 1L
  weekly <- aggregate(drinks ~ patient_id + week, on, mean)
  names(weekly)[3] <- "y"
  levels_by_dose <- unique(patients[order(patients$dose_mg, patients$arm), "arm"])
  patients$arm <- factor(patients$arm, levels = levels_by_dose)
  weekly <- merge(merge(weekly, base, by = "patient_id"), patients, by = "patient_id")
  on <- merge(merge(on[, c("patient_id", "day", "drinks")], base, by = "patient_id"),
              patients[, c("patient_id", "arm")], by = "patient_id")
  on <- on[order(on$patient_id, on$day), ]
  on$pid <- as.integer(factor(on$patient_id))
  arms <- merge(merge(patients, base, by = "patient_id"), treat, by = "patient_id")
  list(weekly = weekly, daily = on, arms = arms, levels = levels_by_dose)
}

lmm_summary <- function(fit) {
  vc <- as.data.frame(VarCorr(fit))
  fe <- fixef(fit)
  list(
    terms = names(fe), estimate = unname(fe), se = unname(sqrt(diag(as.matrix(vcov(fit))))),
    vcov = unname(as.matrix(vcov(fit))), reml_criterion = unname(REMLcrit(fit)),
    theta = unname(getME(fit, "theta")),
    sd_intercept = vc$sdcor[vc$var1 == "(Intercept)" & is.na(vc$var2) & vc$grp == "patient_id"],
    sd_week = vc$sdcor[vc$grp == "patient_id" & vc$var1 == "week" & is.na(vc$var2)],
    corr = vc$sdcor[vc$grp == "patient_id" & !is.na(vc$var2)],
    sigma = sigma(fit), n_obs = nobs(fit), n_patients = unname(ngrps(fit)),
    singular = isSingular(fit)
  )
}

gee_summary <- function(fit) {
  s <- summary(fit)$coefficients
  list(terms = rownames(s), estimate = unname(s[, "Estimate"]), se = unname(s[, "Std.err"]),
       alpha = unname(fit$geese$alpha), scale = unname(fit$geese$gamma))
}

out <- list()
for (name in designs) {
  d <- prepare(name)
  primary <- lmer(y ~ arm + week + baseline + (1 + week | patient_id), data = d$weekly, REML = TRUE,
                  control = tight)
  default <- lmer(y ~ arm + week + baseline + (1 + week | patient_id), data = d$weekly, REML = TRUE)
  trend <- lmer(y ~ dose_mg + week + baseline + (1 + week | patient_id), data = d$weekly, REML = TRUE,
                control = tight)
  arms <- lapply(d$levels, function(a) {
    rows <- d$arms[d$arms$arm == a, ]
    list(arm = a, n = nrow(rows), baseline = mean(rows$baseline), treatment = mean(rows$treatment))
  })
  daily <- d$daily
  rate <- geeglm(drinks ~ arm + baseline, id = pid, data = daily, family = poisson, corstr = "exchangeable")
  daily$any <- as.integer(daily$drinks > 0)
  anyday <- geeglm(any ~ arm + baseline, id = pid, data = daily, family = binomial, corstr = "exchangeable")
  positive <- daily[daily$drinks > 0, ]
  amount <- geeglm(drinks ~ arm + baseline, id = pid, data = positive, family = poisson,
                   corstr = "exchangeable")
  out[[name]] <- list(
    levels = d$levels, arms = arms, primary = lmm_summary(primary),
    primary_default_optimizer = lmm_summary(default), dose_trend = lmm_summary(trend),
    gee_rate = gee_summary(rate), gee_any_drinking = gee_summary(anyday),
    gee_drinks_per_drinking_day = gee_summary(amount)
  )
}
# Many shapes of the REML deviance: 30 weekly datasets fitted with the primary model, from lme4's
# default start and from the diagonal starts baclotrack also uses (decision 0061); the lowest REML
# criterion over the starts is the reference optimum.
stress <- read.csv(file.path(here, "stress_weekly.csv"), stringsAsFactors = FALSE)
starts <- list(c(1, 0, 1), c(0.1, 0, 0.1), c(0.1, 0, 1), c(1, 0, 0.1))
out$stress <- lapply(sort(unique(stress$dataset)), function(k) {
  d <- stress[stress$dataset == k, ]
  d$arm <- factor(d$arm, levels = c("placebo", "10mg_tid", "20mg_tid"))
  fits <- lapply(starts, function(st) suppressMessages(suppressWarnings(
    lmer(y ~ arm + week + baseline + (1 + week | patient_id), data = d, REML = TRUE, control = tight,
         start = st))))
  crit <- sapply(fits, REMLcrit)
  fit <- fits[[which.min(crit)]]
  list(dataset = k, estimate = unname(fixef(fit)), se = unname(sqrt(diag(as.matrix(vcov(fit))))),
       reml_criterion = REMLcrit(fit), theta = unname(getME(fit, "theta")),
       reml_criterion_default_start = crit[1])
})
out$versions <- list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
                     geepack = as.character(packageVersion("geepack")))
# jsonlite prints at most 15 significant digits, so numbers are written verbatim with %.17g.
exact <- function(x) {
  if (is.list(x)) return(lapply(x, exact))
  if (!is.numeric(x)) return(x)
  fmt <- function(v) sprintf("%.17g", v)
  if (is.matrix(x)) {
    rows <- apply(x, 1, function(r) paste0("[", paste(fmt(r), collapse = ", "), "]"))
    return(structure(paste0("[", paste(rows, collapse = ", "), "]"), class = "json"))
  }
  if (length(x) == 1) return(structure(fmt(x), class = "json"))
  structure(paste0("[", paste(fmt(x), collapse = ", "), "]"), class = "json")
}
writeLines(toJSON(exact(out), auto_unbox = TRUE, json_verbatim = TRUE, pretty = TRUE),
           file.path(here, "reference.json"))
