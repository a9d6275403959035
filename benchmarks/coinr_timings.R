# COINr's side of benchmarks/targets.py: seconds per build of the ASEM example and per
# replication of its uncertainty analysis, printed as one JSON line
# {"build": s, "replication": s}. Run by targets.py when Rscript and COINr are installed.
#
# Build: build_example_coin() (new_coin, Denominate, Impute by EurAsia group, Screen,
# Treat, Normalise min-max 0-100, Aggregate by arithmetic mean: tests/conftest.py
# ASEM_SPEC), best of 20. Replication: get_sensitivity(SA_type = "UA") with the
# specification of COINr's vignette "Sensitivity analysis" (noisy weights +-25 % at
# levels 2-3, winmax 1-5, min-max 1-100 vs z-score 10/2, arithmetic vs geometric mean),
# best of 3 runs of N = 50 replications, seconds / N. Best-of, as the Python side: the
# least disturbed run on a shared machine.
suppressPackageStartupMessages(library(COINr))

best_of <- function(n, expr) {
  min(vapply(seq_len(n), function(i) system.time(expr())[["elapsed"]], numeric(1)))
}

build <- best_of(20, function() build_example_coin(quietly = TRUE))

coin <- build_example_coin(quietly = TRUE)
noisy <- get_noisy_weights(
  w = coin$Meta$Weights$Original,
  noise_specs = data.frame(Level = c(2, 3), NoiseFactor = c(0.25, 0.25)),
  Nrep = 100
)
specs <- list(
  Winmax = list(
    Address = "$Log$Treat$global_specs$f1_para$winmax", Distribution = 1:5, Type = "discrete"
  ),
  Normalisation = list(
    Address = "$Log$Normalise$global_specs",
    Distribution = list(
      list(f_n = "n_minmax", f_n_para = list(c(1, 100))),
      list(f_n = "n_zscore", f_n_para = list(c(10, 2)))
    ),
    Type = "discrete"
  ),
  Weights = list(Address = "$Log$Aggregate$w", Distribution = noisy, Type = "discrete"),
  Aggregation = list(
    Address = "$Log$Aggregate$f_ag", Distribution = c("a_amean", "a_gmean"), Type = "discrete"
  )
)
n <- 50
ua <- best_of(3, function() suppressWarnings(get_sensitivity(
  coin, SA_specs = specs, N = n, SA_type = "UA", dset = "Aggregated", iCode = "Index",
  quietly = TRUE
)))

cat(sprintf('{"build": %.6f, "replication": %.6f}\n', build, ua / n))
