# Reference p-values for tests/test_randomization.py from SCRT 1.3.1
# (Bulte, De & Onghena; the CRAN package's source, version 1.3.1 of 2019-12-20).
#
# Reads the cases (design, limit, statistic, labels, scores) from scrt_cases.json,
# recomputes every `n_assignments` with SCRT::quantity and every `pvalue` with the
# exhaustive SCRT::pvalue.systematic, and writes them back to scrt_cases.json.
# Run from this folder:
#
#   R CMD INSTALL -l LIB SCRT-1.3.1-source     # SCRT is not in Debian; CRAN source
#   R_LIBS=LIB Rscript scrt_cases.R           # needs jsonlite (r-cran-jsonlite)
#
# Output of the last run: scrt_cases.Rout (R 4.2.2).
suppressPackageStartupMessages({
  library(SCRT)
  library(jsonlite)
})
cat("SCRT", as.character(packageVersion("SCRT")), "-", R.version.string, "\n")

cases <- fromJSON("scrt_cases.json", simplifyVector = FALSE)
for (i in seq_along(cases)) {
  case <- cases[[i]]
  data <- data.frame(labels = unlist(case$labels), scores = unlist(case$scores))
  n <- nrow(data)
  limit <- if (is.null(case$limit)) 1 else case$limit
  # pvalue.systematic prints nothing; quantity() is the size of the reference set
  n_assignments <- quantity(design = case$design, MT = n, limit = limit)
  p <- pvalue.systematic(design = case$design, statistic = case$statistic,
                         limit = limit, data = data)
  cat(sprintf("%-28s %-5s limit=%-4s %-8s n=%-4d quantity=%-7d p=%.15g\n", case$id,
              case$design, format(case$limit), case$statistic, n, n_assignments, p))
  cases[[i]]$n_assignments <- n_assignments
  cases[[i]]$pvalue <- p
}
write_json(cases, "scrt_cases.json", auto_unbox = TRUE, digits = NA, pretty = 1,
           null = "null")
