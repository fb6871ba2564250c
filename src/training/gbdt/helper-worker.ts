/**
 * Helper thread entry: receives its data by message, then waits for tasks on its control array:
 * building its range of features of a histogram, partitioning part of a leaf's run, computing part
 * of the gradients, finding one leaf's best split, or adding part of a tree's leaves to the scores
 * (see helper-protocol.ts).
 */
import { parentPort } from 'node:worker_threads';
import { addLeafValues } from './gradient-pass.js';
import {
  CONTROL,
  type HelperData,
  SPLIT_IO,
  signal,
  TASK,
  waitForChange,
  writeSplit,
} from './helper-protocol.js';
import { compileHistogramKernels, rangeSlots, SLOT_WIDTH, subtractSlots } from './histogram.js';
import { computeGradients } from './losses.js';
import { partitionHalf } from './row-order.js';
import { emptySplit, findBestSplit } from './split-finder.js';

parentPort?.once('message', (data: HelperData) => serve(data));

function serve(helper: HelperData): void {
  const { control, data, order, histograms, gradients: pass } = helper;
  const kernel = compileHistogramKernels(
    data,
    helper.firstFeature,
    helper.lastFeature,
    helper.kernelMemory,
  ).range;
  const [slotsFrom, slotsTo] = rangeSlots(data, helper.firstFeature, helper.lastFeature);
  const goesLeft = new Uint8Array(256);
  const { splitIO, splitParams } = helper;
  const allFeatures = Int32Array.from({ length: data.features }, (_, f) => f);
  const histogramSize = data.histogramSlots * SLOT_WIDTH;
  const candidate = emptySplit();
  Atomics.store(control, CONTROL.ready, 1);
  let seen = Atomics.load(control, CONTROL.command);
  for (;;) {
    waitForChange(control, CONTROL.command, seen, CONTROL.helperSleeps);
    seen = Atomics.load(control, CONTROL.command);
    if (Atomics.load(control, CONTROL.stop) === 1) return;
    try {
      const start = control[CONTROL.start]!;
      const end = control[CONTROL.end]!;
      if (control[CONTROL.task] === TASK.histogram) {
        const { bins, rowIndex, pairs } = order;
        const base = control[CONTROL.base]!;
        const parent = control[CONTROL.parent]!;
        kernel(histograms, base, bins, rowIndex, start, end, pairs);
        if (parent >= 0) subtractSlots(histograms, parent, base, slotsFrom, slotsTo);
      } else if (control[CONTROL.task] === TASK.gradients) {
        const k = control[CONTROL.output]!;
        const { kind, scores, outputs } = pass;
        pass.loss[0] = computeGradients(
          kind,
          pass,
          scores,
          outputs,
          k,
          pass.gradients[k]!,
          pass.hessians[k]!,
          start,
          end,
        );
      } else if (control[CONTROL.task] === TASK.scores) {
        addLeafValues(pass, order.rowIndex, control[CONTROL.output]!, start, end);
      } else if (control[CONTROL.task] === TASK.split) {
        const base = control[CONTROL.base]!;
        const gradient = splitIO[SPLIT_IO.gradient]!;
        const hessian = splitIO[SPLIT_IO.hessian]!;
        const histogram = histograms.subarray(base, base + histogramSize);
        findBestSplit(histogram, data, allFeatures, gradient, hessian, end - start, splitParams, candidate);
        writeSplit(splitIO, candidate);
      } else {
        const feature = control[CONTROL.feature]!;
        const split = {
          thresholdBin: control[CONTROL.thresholdBin]!,
          missingLeft: control[CONTROL.missingLeft] === 1,
        };
        control[CONTROL.result] = partitionHalf(order, data, feature, split, goesLeft, start, end);
      }
    } catch {
      Atomics.store(control, CONTROL.failed, 1);
    }
    signal(control, CONTROL.done, seen, CONTROL.trainerSleeps);
  }
}
