# Regenerates the metafor reference values that tests/analysis/test_meta*.py pin baclotrack to.
#
# Run from the repository root:  Rscript tests/reference/meta/make_reference.R
# Needs R >= 4 with metafor (>= 3.8) and jsonlite. Writes, next to this script:
#   *.csv           the input datasets in the column layout of `baclotrack meta --studies`
#   reference.json  every number the tests compare with, at full double precision
# The tests read only these files; they never run R.
#
# Datasets: dat.bcg (Colditz et al. 1994), dat.normand1999 (Normand 1999), dat.nielweise2007
# (Niel-Weise et al. 2007; zero cells and one study with no events in either arm), all shipped with
# metafor/metadat, plus two small made-up baclofen-like datasets (SYNTHETIC, not trial data).

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script) == 1) dirname(normalizePath(script)) else "tests/reference/meta"

write_binary <- function(name, study, ai, n1i, ci, n2i, extra = NULL) {
  df <- data.frame(study = study, events_t = ai, n_t = n1i, events_c = ci, n_c = n2i)
  if (!is.null(extra)) df <- cbind(df, extra)
  write.csv(df, file.path(out_dir, paste0(name, ".csv")), row.names = FALSE)
  df
}
write_continuous <- function(name, study, m1i, sd1i, n1i, m2i, sd2i, n2i, extra = NULL) {
  df <- data.frame(study = study, mean_t = m1i, sd_t = sd1i, n_t = n1i, mean_c = m2i, sd_c = sd2i, n_c = n2i)
  if (!is.null(extra)) df <- cbind(df, extra)
  write.csv(df, file.path(out_dir, paste0(name, ".csv")), row.names = FALSE)
  df
}

# ---- input datasets -------------------------------------------------------------------------------
bcg <- with(dat.bcg, write_binary("bcg", paste(author, year), tpos, tpos + tneg, cpos, cpos + cneg,
                                  data.frame(ablat = ablat, alloc = alloc)))
normand <- with(dat.normand1999, write_continuous("normand1999", source, m1i, sd1i, n1i, m2i, sd2i, n2i))
niel <- with(dat.nielweise2007, write_binary("nielweise2007", paste(author, year), ai, n1i, ci, n2i))

# SYNTHETIC baclofen-like trials (made up for testing; events = return to heavy drinking).
# One study has a zero cell, one has no events in either arm; target_dose_mg is a moderator.
syn_bin <- write_binary(
  "synthetic_baclofen_binary",
  c("Synthetic A", "Synthetic B", "Synthetic C", "Synthetic D", "Synthetic E", "Synthetic F", "Synthetic G"),
  c(5, 8, 0, 20, 0, 38, 2), c(30, 40, 12, 60, 10, 80, 25),
  c(18, 15, 3, 22, 0, 40, 14), c(31, 38, 13, 58, 11, 82, 24),
  data.frame(target_dose_mg = c(30, 60, 90, 150, 180, 270, 80),
             dose_group = c("low", "low", "low", "high", "high", "high", "low")))
# SYNTHETIC drinks per drinking day at end of treatment.
syn_cont <- write_continuous(
  "synthetic_baclofen_continuous",
  c("Synthetic H", "Synthetic I", "Synthetic J", "Synthetic K", "Synthetic L", "Synthetic M"),
  c(6.1, 5.2, 7.4, 3.0, 6.5, 3.1), c(3.2, 2.8, 4.1, 2.5, 3.0, 2.2), c(28, 45, 19, 60, 33, 72),
  c(6.9, 6.4, 7.1, 5.9, 6.0, 6.2), c(3.5, 3.1, 3.8, 2.9, 3.3, 2.6), c(27, 44, 21, 58, 35, 70),
  data.frame(target_dose_mg = c(30, 60, 90, 150, 180, 270)))

binary_data <- list(bcg = bcg, nielweise2007 = niel, synthetic_baclofen_binary = syn_bin)
continuous_data <- list(normand1999 = normand, synthetic_baclofen_continuous = syn_cont)

es_binary <- function(df, measure) {
  escalc(measure, ai = df$events_t, n1i = df$n_t, ci = df$events_c, n2i = df$n_c)
}
es_continuous <- function(df, measure) {
  escalc(measure, m1i = df$mean_t, sd1i = df$sd_t, n1i = df$n_t, m2i = df$mean_c, sd2i = df$sd_c, n2i = df$n_c)
}

# ---- result extractors ----------------------------------------------------------------------------
num <- function(x) if (is.null(x) || length(x) == 0 || is.na(x[1])) NA else unname(as.numeric(x))

pooled <- function(fit) {
  pr <- predict(fit)
  random <- !(fit$method %in% c("FE", "EE", "CE"))
  list(estimate = num(fit$beta[1]), se = num(fit$se[1]), zval = num(fit$zval[1]), pval = num(fit$pval[1]),
       ci_low = num(fit$ci.lb[1]), ci_high = num(fit$ci.ub[1]),
       pi_low = if (random) num(pr$pi.lb) else NA, pi_high = if (random) num(pr$pi.ub) else NA,
       tau2 = num(fit$tau2), i2 = num(fit$I2), h2 = num(fit$H2), q = num(fit$QE), q_pval = num(fit$QEp),
       k = fit$k)
}

mh <- function(df, measure) {
  fit <- rma.mh(ai = df$events_t, n1i = df$n_t, ci = df$events_c, n2i = df$n_c, measure = measure)
  list(estimate = num(fit$beta[1]), se = num(fit$se[1]), zval = num(fit$zval[1]), pval = num(fit$pval[1]),
       ci_low = num(fit$ci.lb[1]), ci_high = num(fit$ci.ub[1]), i2 = num(fit$I2), h2 = num(fit$H2),
       q = num(fit$QE), q_pval = num(fit$QEp), k = fit$k, k_yi = fit$k.yi)
}

methods <- c("FE", "DL", "REML", "PM")
tests <- c("z", "knha")

fits_for <- function(es) {
  out <- list()
  for (m in methods) for (t in tests) {
    fit <- suppressWarnings(rma(yi, vi, data = es, method = m, test = t))
    out[[paste(m, t, sep = "_")]] <- pooled(fit)
  }
  out
}

reference <- list(metafor_version = as.character(packageVersion("metafor")), datasets = list())

for (name in names(binary_data)) {
  df <- binary_data[[name]]
  for (measure in c("RR", "OR", "RD")) {
    es <- es_binary(df, measure)
    reference$datasets[[name]][[measure]] <- list(
      yi = as.numeric(es$yi), vi = as.numeric(es$vi), fits = fits_for(es), MH = mh(df, measure))
  }
}
for (name in names(continuous_data)) {
  df <- continuous_data[[name]]
  for (measure in c("MD", "SMD")) {
    es <- es_continuous(df, measure)
    reference$datasets[[name]][[measure]] <- list(yi = as.numeric(es$yi), vi = as.numeric(es$vi),
                                                  fits = fits_for(es))
  }
}

# ---- leave-one-out, meta-regression, Egger, subgroups ---------------------------------------------
leave1 <- function(fit) {
  l1 <- leave1out(fit)
  list(estimate = as.numeric(l1$estimate), se = as.numeric(l1$se), ci_low = as.numeric(l1$ci.lb),
       ci_high = as.numeric(l1$ci.ub), q = as.numeric(l1$Q), tau2 = as.numeric(l1$tau2),
       i2 = as.numeric(l1$I2))
}

metareg <- function(es, x, method, test) {
  fit <- suppressWarnings(rma(yi, vi, mods = ~x, data = data.frame(yi = es$yi, vi = es$vi, x = x),
                              method = method, test = test))
  list(coef = as.numeric(fit$beta), se = as.numeric(fit$se), zval = as.numeric(fit$zval),
       pval = as.numeric(fit$pval), ci_low = as.numeric(fit$ci.lb), ci_high = as.numeric(fit$ci.ub),
       qm = num(fit$QM), qm_pval = num(fit$QMp), tau2 = num(fit$tau2), i2 = num(fit$I2), h2 = num(fit$H2),
       qe = num(fit$QE), qe_pval = num(fit$QEp), r2 = num(fit$R2))
}

egger <- function(es, method, test) {
  fit <- suppressWarnings(rma(yi, vi, data = es, method = method, test = test))
  rt <- regtest(fit)
  list(zval = num(rt$zval), pval = num(rt$pval), limit_estimate = num(rt$est),
       limit_ci_low = num(rt$ci.lb), limit_ci_high = num(rt$ci.ub))
}

subgroups <- function(es, group, method) {
  groups <- unique(group)
  per_group <- list()
  est <- se <- c()
  for (g in groups) {
    fit <- rma(yi, vi, data = es[group == g, ], method = method)
    per_group[[g]] <- pooled(fit)
    est <- c(est, fit$beta[1])
    se <- c(se, fit$se[1])
  }
  # Test of subgroup differences: fixed-effect Wald test of the subgroup estimates.
  between <- rma(est, sei = se, mods = ~factor(groups), method = "FE")
  list(groups = groups, per_group = per_group, q_between = num(between$QM), df = length(groups) - 1,
       pval = num(between$QMp))
}

bcg_rr <- es_binary(bcg, "RR")
syn_bin_or <- es_binary(syn_bin, "OR")
syn_cont_md <- es_continuous(syn_cont, "MD")

reference$leave1out <- list(
  bcg_RR_REML = leave1(rma(yi, vi, data = bcg_rr, method = "REML")),
  bcg_RR_DL_knha = leave1(rma(yi, vi, data = bcg_rr, method = "DL", test = "knha")),
  bcg_RR_FE = leave1(rma(yi, vi, data = bcg_rr, method = "FE")))

reference$metareg <- list()
for (m in methods) for (t in tests) {
  key <- paste(m, t, sep = "_")
  reference$metareg$bcg_RR_ablat[[key]] <- metareg(bcg_rr, bcg$ablat, m, t)
  reference$metareg$synthetic_binary_OR_dose[[key]] <- metareg(syn_bin_or, syn_bin$target_dose_mg, m, t)
  reference$metareg$synthetic_continuous_MD_dose[[key]] <- metareg(syn_cont_md, syn_cont$target_dose_mg, m, t)
  reference$egger$bcg_RR[[key]] <- egger(bcg_rr, m, t)
  reference$egger$synthetic_binary_OR[[key]] <- egger(syn_bin_or, m, t)
}

reference$subgroups <- list(
  bcg_RR_alloc_REML = subgroups(bcg_rr, as.character(bcg$alloc), "REML"),
  bcg_RR_alloc_DL = subgroups(bcg_rr, as.character(bcg$alloc), "DL"),
  synthetic_binary_OR_dose_group_REML = subgroups(syn_bin_or, syn_bin$dose_group, "REML"))

writeLines(toJSON(reference, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           file.path(out_dir, "reference.json"))
cat("wrote", file.path(out_dir, "reference.json"), "\n")
