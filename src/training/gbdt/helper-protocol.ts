/**
 * How the trainer's thread hands work to helper threads: one shared Int32Array per helper. The
 * trainer writes a task, bumps COMMAND and notifies; the helper does it and stores the command number
 * in DONE. A helper sets READY once started, and only ready helpers get work, so a slow start-up never
 * stalls training (the trainer does that share itself).
 *
 * Tasks: build the helper's range of features of a histogram (positions START..END of the row order
 * into the pool at BASE, then subtracted from the one at PARENT unless -1), partition positions START..END by a split (RESULT = rows going left), or
 * compute OUTPUT's gradients of rows START..END (their loss summed into GradientMemory.loss), or find
 * the best split of the leaf whose histogram is at BASE (totals and result in `splitIO`, see
 * SPLIT_IO), or add leaves START..END of the last tree (see GradientMemory) to OUTPUT's scores.
 */
import type { BinnedData } from './binning.js';
import type { LossKind } from './losses.js';
import type { SplitCandidate, SplitParams } from './split-finder.js';

export const TASK = { histogram: 0, partition: 1, gradients: 2, split: 3, scores: 4 } as const;

export const CONTROL = {
  command: 0,
  done: 1,
  ready: 2,
  /** 1 = stop the helper; set with a command. */
  stop: 3,
  /** 1 = the last task failed. */
  failed: 4,
  task: 5,
  start: 6,
  end: 7,
  /** Histogram: offset of the target histogram in the shared pool. */
  base: 8,
  /** Partition: the split. */
  feature: 9,
  thresholdBin: 10,
  missingLeft: 11,
  result: 12,
  /** Gradients: which output (multiclass trains one tree per class). */
  output: 15,
  /** Histogram: offset of the histogram to subtract the built one from, or -1. */
  parent: 16,
  /** 1 while the helper sleeps in Atomics.wait for a command (else it spins: see SPIN_CHECKS). */
  helperSleeps: 13,
  /** 1 while the trainer sleeps waiting for DONE. */
  trainerSleeps: 14,
} as const;

export const CONTROL_SLOTS = 17;

/**
 * Checks of a control value before sleeping on it (tens of microseconds). Tasks come in quick
 * succession while a tree grows, and on this kind of VM waking a sleeping thread costs about as much
 * as building a small histogram, so both sides spin briefly first and only notify a sleeper.
 */
export const SPIN_CHECKS = 50_000;

/** Waits until control[slot] !== value: spins, then sleeps with `sleepFlag` set. */
export function waitForChange(control: Int32Array, slot: number, value: number, sleepFlag: number): void {
  for (let i = 0; i < SPIN_CHECKS; i++) if (Atomics.load(control, slot) !== value) return;
  Atomics.store(control, sleepFlag, 1);
  while (Atomics.load(control, slot) === value) Atomics.wait(control, slot, value);
  Atomics.store(control, sleepFlag, 0);
}

/** Stores `value` in control[slot] and wakes the other side if it sleeps. */
export function signal(control: Int32Array, slot: number, value: number, sleepFlag: number): void {
  Atomics.store(control, slot, value);
  if (Atomics.load(control, sleepFlag) === 1) Atomics.notify(control, slot);
}

/** Slots of a helper's shared Float64Array for split tasks. */
export const SPLIT_IO = {
  gradient: 0,
  hessian: 1,
  gain: 2,
  feature: 3,
  thresholdBin: 4,
  missingLeft: 5,
  leftGradient: 6,
  leftHessian: 7,
} as const;

export const SPLIT_IO_SLOTS = 8;

/** The row order's memory (see RowOrder), on SharedArrayBuffers. */
export interface SharedRowOrder {
  readonly bins: Uint8Array;
  readonly columns: Uint8Array;
  readonly rowIndex: Uint32Array;
  readonly pairs: Float64Array;
  readonly scratchRows: Uint32Array;
}

/** What computing gradients needs (see GradientPass), on SharedArrayBuffers. */
export interface GradientMemory {
  readonly kind: LossKind;
  readonly labels: Int32Array | null;
  readonly values: Float64Array | null;
  readonly scores: Float64Array;
  readonly outputs: number;
  readonly gradients: readonly Float64Array[];
  readonly hessians: readonly Float64Array[];
  /** The helper's summed loss. */
  readonly loss: Float64Array;
  /** The last tree's leaves: their runs [start, end) of the row order and their values. */
  readonly leafStarts: Int32Array;
  readonly leafEnds: Int32Array;
  readonly leafValues: Float64Array;
}

/** Everything a helper reads or writes. */
export interface HelperData {
  readonly control: Int32Array;
  readonly splitIO: Float64Array;
  readonly splitParams: SplitParams;
  readonly data: BinnedData;
  readonly order: SharedRowOrder;
  readonly gradients: GradientMemory;
  readonly histograms: Float64Array;
  /** The memory `order` and `histograms` live in, when the WebAssembly kernel runs (see KernelMemory). */
  readonly kernelMemory: WebAssembly.Memory | undefined;
  readonly firstFeature: number;
  readonly lastFeature: number;
}

export function writeSplit(io: Float64Array, split: SplitCandidate): void {
  io[SPLIT_IO.gain] = split.gain;
  io[SPLIT_IO.feature] = split.feature;
  io[SPLIT_IO.thresholdBin] = split.thresholdBin;
  io[SPLIT_IO.missingLeft] = split.missingLeft ? 1 : 0;
  io[SPLIT_IO.leftGradient] = split.leftGradient;
  io[SPLIT_IO.leftHessian] = split.leftHessian;
}

export function readSplit(io: Float64Array, split: SplitCandidate): void {
  split.gain = io[SPLIT_IO.gain]!;
  split.feature = io[SPLIT_IO.feature]!;
  split.thresholdBin = io[SPLIT_IO.thresholdBin]!;
  split.missingLeft = io[SPLIT_IO.missingLeft] === 1;
  split.leftGradient = io[SPLIT_IO.leftGradient]!;
  split.leftHessian = io[SPLIT_IO.leftHessian]!;
}
