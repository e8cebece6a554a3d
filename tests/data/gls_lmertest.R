# Satterthwaite degrees of freedom for the treatment effect from lmerTest (lme4 REML,
# random period intercepts, independent days: the rho = 0 case of gls_ar1(periods=...)).
# Run from the repository root:
#   Rscript tests/data/gls_lmertest.R > tests/data/gls_lmertest.csv
suppressMessages(library(lmerTest))
d <- read.csv("tests/data/gls_nlme_data.csv")
cat("dataset,estimate,se,df\n")
for (id in sort(unique(d$dataset))) {
  s <- d[d$dataset == id, ]
  s$cond <- factor(s$cond, levels = c("B", "A"))
  s$block <- factor(s$block)
  s$period <- factor(s$period)
  fit <- lmer(y ~ cond + block + (1 | period), data = s, REML = TRUE,
              control = lmerControl(optimizer = "bobyqa",
                                    optCtrl = list(rhobeg = 0.2, rhoend = 1e-10)))
  co <- summary(fit, ddf = "Satterthwaite")$coefficients
  cat(sprintf("%d,%.10g,%.10g,%.10g\n", id, co["condA", "Estimate"],
              co["condA", "Std. Error"], co["condA", "df"]))
}
