export {
  type Chi2ContingencyOptions,
  type Chi2ContingencyResult,
  type ChiSquareResult,
  chi2Contingency,
  chi2TwoSample,
  chiSquareGoodnessOfFit,
} from './chi-squared.js';
export { benjaminiHochberg, bonferroni, rejects } from './corrections.js';
export {
  type Histogram,
  histogram,
  histogramSorted,
  type JensenShannonOptions,
  jensenShannon,
} from './jensen-shannon.js';
export { kolmogorovSf } from './kolmogorov.js';
export { type KsMethod, type KsOptions, type KsResult, ks2samp, ks2sampSorted } from './ks.js';
export { type MmdOptions, type MmdResult, type MmdRows, mmdRbf } from './mmd.js';
export { twoProportionZTest, type ZTestResult } from './proportions.js';
export { type PsiOptions, type PsiResult, psi, psiSorted } from './psi.js';
export { sortFloat64 } from './radix-sort.js';
export { type Sample, sortedCopy, toFloat64 } from './sorted.js';
export { chi2Sf, erf, erfc, gammainc, gammaincc, log1pmx, logGamma, normalSf } from './special.js';
export {
  normalisedWasserstein,
  normalisedWassersteinSorted,
  wasserstein1,
  wasserstein1Sorted,
} from './wasserstein.js';
