# Reference values for tests/evidence/test_pooling.py: metafor on the bundled trial comparisons.
#
# Run: Rscript tests/evidence/reference/pooling_reference.R   (metafor 3.8 was used)
# The counts are outcome_table()'s rows with the default multi_arm="split": Garbutt 2021's placebo
# arm (17 dropouts of 40) is shared by its 30 and 90 mg/day arms, so each comparison gets 8.5/20.
# Return to drinking = n minus the totally abstinent (derivation in trials.csv's source column).
suppressMessages(library(metafor))

# Dropout: Addolorato 2002, Addolorato 2007, Garbutt 2021 30 mg, Garbutt 2021 90 mg.
d <- rma(measure = "RR", ai = c(3, 6, 17, 13), n1i = c(20, 42, 43, 37),
         ci = c(8, 13, 8.5, 8.5), n2i = c(19, 42, 20, 20), method = "REML")
cat(sprintf("dropout REML: b %.10f se %.10f ci %.10f %.10f tau2 %.10f\n", d$b, d$se, d$ci.lb, d$ci.ub, d$tau2))

# Dose meta-regression, bundled data: Addolorato 2002, Addolorato 2007, Garbutt 2021 30 and 90 mg/day.
dat <- escalc(measure = "RR", ai = c(3, 6, 17, 13), n1i = c(20, 42, 43, 37),
              ci = c(8, 13, 8.5, 8.5), n2i = c(19, 42, 20, 20))
m <- rma(yi, vi, mods = ~ c(30, 30, 30, 90), data = dat, method = "REML")
cat(sprintf("dropout ~ dose REML: b0 %.10f b1 %.10f se(b1) %.10f tau2 %.10f\n", m$b[1], m$b[2], m$se[2], m$tau2))

# The same with Addolorato 2007's dose blanked (left out): 30, 30, 90 mg/day.
dat3 <- escalc(measure = "RR", ai = c(3, 17, 13), n1i = c(20, 43, 37), ci = c(8, 8.5, 8.5), n2i = c(19, 20, 20))
m3 <- rma(yi, vi, mods = ~ c(30, 30, 90), data = dat3, method = "REML")
cat(sprintf("dropout ~ dose REML, no Addolorato 2007: b0 %.10f b1 %.10f se(b1) %.10f tau2 %.10f\n",
            m3$b[1], m3$b[2], m3$se[2], m3$tau2))

# Return to any drinking: Addolorato 2007 (12/42 vs 30/42), Mueller 2015 BACLAD (7/22 vs 16/21).
r <- rma(measure = "RR", ai = c(12, 7), n1i = c(42, 22), ci = c(30, 16), n2i = c(42, 21), method = "REML")
cat(sprintf("return_to_drinking REML: b %.10f se %.10f ci %.10f %.10f\n", r$b, r$se, r$ci.lb, r$ci.ub))
