# Reference values for tests/test_series_meta.py and tests/test_series_onestage.py.
#   cd tests/data && Rscript series_reference.R > series_reference.json
# Inputs come from make_series_inputs.py. R with metafor, lme4 (and nlme).
suppressPackageStartupMessages({library(metafor); library(lme4); library(nlme)})
ctrl <- list(threshold = 1e-12, maxiter = 5000, stepadj = 1)
num <- function(x) formatC(as.numeric(x), digits = 17, format = "g")
obj <- function(lst) paste0("{", paste(sprintf('"%s": %s', names(lst), lst), collapse = ", "), "}")
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")

meta <- function(d) {
  fit <- rma(yi, vi, data = d, method = "REML", test = "knha", control = ctrl)
  ci <- confint(fit, control = list(tol = 1e-12))$random
  k <- fit$k
  pi_half <- qt(0.975, k - 2) * sqrt(fit$tau2 + fit$se^2)   # Higgins 2009 / IntHout 2016
  obj(list(estimate = num(fit$b[1]), se = num(fit$se), ci_low = num(fit$ci.lb),
           ci_high = num(fit$ci.ub), statistic = num(fit$zval), pvalue = num(fit$pval),
           tau2 = num(fit$tau2), tau2_ci_low = num(ci["tau^2", "ci.lb"]),
           tau2_ci_high = num(ci["tau^2", "ci.ub"]), q = num(fit$QE), q_pvalue = num(fit$QEp),
           pi_low = num(fit$b[1] - pi_half), pi_high = num(fit$b[1] + pi_half),
           metafor_pi_low = num(predict(fit)$pi.lb)))
}

metareg <- function(d, f) {
  fit <- rma(yi, vi, mods = f, data = d, method = "REML", test = "knha", control = ctrl)
  ci <- confint(fit, control = list(tol = 1e-12))$random
  obj(list(coef = vec(fit$b), se = vec(fit$se), statistic = vec(fit$zval),
           pvalue = vec(fit$pval), ci_low = vec(fit$ci.lb), ci_high = vec(fit$ci.ub),
           f = num(fit$QM), f_pvalue = num(fit$QMp), tau2 = num(fit$tau2),
           tau2_ci_low = num(ci["tau^2", "ci.lb"]), tau2_ci_high = num(ci["tau^2", "ci.ub"]),
           q = num(fit$QE)))
}

pooled <- read.csv("series_meta_pooled.csv")
person <- read.csv("series_meta_person.csv")
homog <- read.csv("series_meta_homog.csv")
pairs <- read.csv("series_pairs.csv")

one_stage <- function(formula) {
  fit <- lmer(formula, data = pairs, REML = TRUE,
              control = lmerControl(optimizer = "bobyqa",
                                    optCtrl = list(rhobeg = 1e-2, rhoend = 1e-12)))
  vc <- as.data.frame(VarCorr(fit))
  fe <- summary(fit)$coefficients
  obj(list(coef = vec(fe[, 1]), se = vec(fe[, 2]),
           tau2 = num(vc$vcov[vc$grp == "person"]), sigma2 = num(vc$vcov[vc$grp == "Residual"]),
           loglik = num(logLik(fit))))
}
# the same model on period means: pair-within-person intercepts, a random treatment effect
periods <- rbind(data.frame(person = pairs$person, pair = paste(pairs$person, pairs$pair),
                            y = pairs$mean_a, treat = 1),
                 data.frame(person = pairs$person, pair = paste(pairs$person, pairs$pair),
                            y = pairs$mean_b, treat = 0))
periods$treat_c <- periods$treat - 0.5
pm_fit <- lmer(y ~ 0 + factor(pair) + treat_c + (0 + treat_c | person), data = periods,
               REML = TRUE, control = lmerControl(optimizer = "bobyqa",
                                                  optCtrl = list(rhobeg = 1e-2, rhoend = 1e-12)))
pm_vc <- as.data.frame(VarCorr(pm_fit))
lme_fit <- lme(difference ~ 1, random = ~ 1 | person, data = pairs, method = "REML",
               control = lmeControl(tolerance = 1e-12, msTol = 1e-12))

cat("{\n")
cat('"meta_pooled": ', meta(pooled), ",\n", sep = "")
cat('"meta_person": ', meta(person), ",\n", sep = "")
cat('"meta_homog": ', meta(homog), ",\n", sep = "")
cat('"metareg_stress": ', metareg(pooled, ~ baseline_stress), ",\n", sep = "")
cat('"metareg_band": ', metareg(pooled, ~ stress_band), ",\n", sep = "")
cat('"lmer_intercept": ', one_stage(difference ~ 1 + (1 | person)), ",\n", sep = "")
cat('"lmer_stress": ', one_stage(difference ~ baseline_stress + (1 | person)), ",\n", sep = "")
cat('"lmer_period_means": ', obj(list(coef = num(fixef(pm_fit)["treat_c"]),
    se = num(sqrt(vcov(pm_fit)["treat_c", "treat_c"])),
    tau2 = num(pm_vc$vcov[pm_vc$grp == "person"]),
    sigma2_period = num(pm_vc$vcov[pm_vc$grp == "Residual"]))), ",\n", sep = "")
cat('"lme_intercept": ', obj(list(coef = num(fixef(lme_fit)), se = num(sqrt(vcov(lme_fit)[1, 1])),
    tau2 = num(as.numeric(VarCorr(lme_fit)[1, 1])),
    sigma2 = num(lme_fit$sigma^2))), "\n", sep = "")
cat("}\n")
cat(paste0("# metafor ", packageVersion("metafor"), ", lme4 ", packageVersion("lme4"),
           ", nlme ", packageVersion("nlme"), ", ", R.version.string, "\n"), file = stderr())
