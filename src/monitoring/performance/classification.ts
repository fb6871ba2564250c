/**
 * Classification metrics as scikit-learn defines them, on class indices (0..k-1, the model's class
 * order) and row-major probability matrices. Undefined values are NaN (sklearn raises or warns), so
 * callers can store and show them without special cases.
 *
 * - precision/recall/F1: binary with the positive class = index 1 (sklearn's pos_label=1 for 0/1
 *   labels), macro-averaged over the classes present in labels or predictions otherwise (sklearn's
 *   default `labels=None`); a zero denominator gives 0 (sklearn's zero_division default).
 * - ROC AUC: binary from the positive-class score with ties counted half (equal to sklearn's
 *   trapezoidal roc_auc_score); multiclass macro one-vs-rest over the classes present in the labels.
 * - log loss: probabilities clipped to [eps, 1 - eps] with eps the float64 machine epsilon, then
 *   averaged -log p(true class), as sklearn's log_loss.
 */

export interface PrecisionRecallF1 {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** Share of rows whose prediction equals the label; NaN for no rows. */
export function accuracy(labels: Int32Array, predictions: Int32Array): number {
  checkSameLength(labels, predictions);
  if (labels.length === 0) return Number.NaN;
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === predictions[i]) right++;
  return right / labels.length;
}

/** Per-class true positives, predicted and actual counts. */
function confusionCounts(labels: Int32Array, predictions: Int32Array, classes: number) {
  const tp = new Float64Array(classes);
  const predicted = new Float64Array(classes);
  const actual = new Float64Array(classes);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    const p = predictions[i]!;
    checkClass(y, classes);
    checkClass(p, classes);
    actual[y]!++;
    predicted[p]!++;
    if (y === p) tp[y]!++;
  }
  return { tp, predicted, actual };
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

function scoresOf(tp: number, predicted: number, actual: number): PrecisionRecallF1 {
  const precision = ratio(tp, predicted);
  const recall = ratio(tp, actual);
  // The harmonic mean as sklearn 1.2 computes it; 0 when precision and recall are both 0.
  const f1 = ratio(2 * precision * recall, precision + recall);
  return { precision, recall, f1 };
}

/**
 * Binary (classes = 2): of the positive class, index 1. More classes: the unweighted mean over the
 * classes that occur in labels or predictions. NaN for no rows.
 */
export function precisionRecallF1(
  labels: Int32Array,
  predictions: Int32Array,
  classes: number,
): PrecisionRecallF1 {
  checkSameLength(labels, predictions);
  if (labels.length === 0) return { precision: Number.NaN, recall: Number.NaN, f1: Number.NaN };
  const { tp, predicted, actual } = confusionCounts(labels, predictions, classes);
  if (classes === 2) return scoresOf(tp[1]!, predicted[1]!, actual[1]!);
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  let present = 0;
  for (let c = 0; c < classes; c++) {
    if (predicted[c] === 0 && actual[c] === 0) continue;
    const scores = scoresOf(tp[c]!, predicted[c]!, actual[c]!);
    precision += scores.precision;
    recall += scores.recall;
    f1 += scores.f1;
    present++;
  }
  return { precision: precision / present, recall: recall / present, f1: f1 / present };
}

/**
 * Area under the ROC curve of `scores` for `positive` (a boolean per row): the probability that a
 * random positive scores above a random negative, ties counting half (average ranks). NaN unless
 * both groups are present.
 */
export function rocAucBinary(positive: Uint8Array, scores: Float64Array): number {
  if (positive.length !== scores.length)
    throw new RangeError(`labels and scores differ in length: ${positive.length} vs ${scores.length}`);
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (positive[i] === 1) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]!] === scores[order[start]!]) end++;
    // Ranks start..end-1 (0-based) share their average, 1-based.
    const rank = (start + end + 1) / 2;
    for (let j = start; j < end; j++) if (positive[order[j]!] === 1) rankSum += rank;
    start = end;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * ROC AUC of a classifier from its probability matrix (row-major, rows × classes): binary from the
 * positive class's column (index 1); more classes: the mean of one-vs-rest AUCs over the classes
 * that occur in the labels (a class never seen has no AUC). NaN when fewer than two classes occur.
 */
export function rocAuc(labels: Int32Array, probabilities: Float64Array, classes: number): number {
  checkMatrix(labels, probabilities, classes);
  const n = labels.length;
  const column = (c: number) => Float64Array.from({ length: n }, (_, i) => probabilities[i * classes + c]!);
  const isClass = (c: number) => Uint8Array.from(labels, (y) => (y === c ? 1 : 0));
  if (classes === 2) return rocAucBinary(isClass(1), column(1));
  const counts = new Uint32Array(classes);
  for (const y of labels) {
    checkClass(y, classes);
    counts[y]!++;
  }
  let sum = 0;
  let present = 0;
  for (let c = 0; c < classes; c++) {
    if (counts[c] === 0) continue;
    present++;
    sum += rocAucBinary(isClass(c), column(c));
  }
  return present < 2 ? Number.NaN : sum / present;
}

/** float64 machine epsilon, sklearn's clipping bound for float64 probabilities. */
const EPS = 2 ** -52;

/**
 * Mean negative log-likelihood of the true classes: each probability clipped to [eps, 1 - eps], rows
 * not summing to 1 normalised first (as sklearn does, after warning). NaN for no rows.
 */
export function logLoss(labels: Int32Array, probabilities: Float64Array, classes: number): number {
  checkMatrix(labels, probabilities, classes);
  const n = labels.length;
  if (n === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    checkClass(y, classes);
    let rowSum = 0;
    for (let c = 0; c < classes; c++) rowSum += clip(probabilities[i * classes + c]!);
    total -= Math.log(clip(probabilities[i * classes + y]!) / rowSum);
  }
  return total / n;
}

function clip(p: number): number {
  return p < EPS ? EPS : p > 1 - EPS ? 1 - EPS : p;
}

function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length)
    throw new RangeError(`labels and predictions differ in length: ${a.length} vs ${b.length}`);
}

function checkMatrix(labels: Int32Array, probabilities: Float64Array, classes: number): void {
  if (classes < 2) throw new RangeError(`a classifier has at least 2 classes, got ${classes}`);
  if (probabilities.length !== labels.length * classes)
    throw new RangeError(
      `probabilities hold ${probabilities.length} values, expected ${labels.length} rows × ${classes} classes`,
    );
}

function checkClass(c: number, classes: number): void {
  if (!(c >= 0 && c < classes)) throw new RangeError(`class index ${c} is outside 0..${classes - 1}`);
}
