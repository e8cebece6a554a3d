# Reference values for gls_ar1(..., periods=...) from nlme::lme (R 4.x, nlme 3.1).
# Model: y ~ condition + block, a random intercept per period (pdIdent over period
# dummies within one group, so that the AR(1) spans the whole series), and
# continuous-time AR(1) errors on the calendar day (corCAR1: corr = phi^|t_i - t_j|).
# REML. Run from the repository root:
#   Rscript tests/data/gls_nlme.R  > tests/data/gls_nlme.csv
suppressMessages(library(nlme))
d <- read.csv("tests/data/gls_nlme_data.csv")
cat("dataset,estimate,se,rho,sigma,period_sd,loglik\n")
for (id in sort(unique(d$dataset))) {
  s <- d[d$dataset == id, ]
  s$one <- factor(1)
  s$cond <- factor(s$cond, levels = c("B", "A"))
  s$block <- factor(s$block)
  s$period <- factor(s$period)
  fit <- lme(y ~ cond + block, data = s,
             random = list(one = pdIdent(~ 0 + period)),
             correlation = corCAR1(form = ~ t | one), method = "REML",
             control = lmeControl(maxIter = 500, msMaxIter = 500, niterEM = 100,
                                  msTol = 1e-12, tolerance = 1e-10))
  rho <- coef(fit$modelStruct$corStruct, unconstrained = FALSE)[[1]]
  period_sd <- as.numeric(VarCorr(fit)[1, "StdDev"])
  cat(sprintf("%d,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g\n", id, fixef(fit)[["condA"]],
              sqrt(vcov(fit)["condA", "condA"]), rho, fit$sigma, period_sd,
              as.numeric(logLik(fit))))
}
