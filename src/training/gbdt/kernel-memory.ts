/**
 * Memory for what histogram building reads and writes: the row order (bins, row indices, gradient
 * pairs, see RowOrder) and the histogram pool (see HistogramBuilder). Sized once for a training, it
 * is a shared WebAssembly memory, so the WebAssembly kernel (wasm-kernel.ts) can run on it on every
 * thread; when that cannot be had (more than a wasm32 memory holds, or no WebAssembly), the arrays
 * are ordinary (Shared)ArrayBuffers and the JavaScript kernel runs instead, with the same results.
 */
import type { BinnedData } from './binning.js';
import { SLOT_WIDTH } from './histogram.js';
import { WASM_MAX_PAGES, WASM_PAGE_BYTES } from './wasm-kernel.js';

/** Typed arrays start on 16-byte boundaries, as SIMD loads of a histogram slot expect. */
const ALIGNMENT = 16;

export class KernelMemory {
  private next = 0;

  private constructor(
    /** Absent when the arrays are separate buffers. */
    readonly wasm: WebAssembly.Memory | undefined,
    /** Whether helper threads can share the arrays. */
    readonly shared: boolean,
  ) {}

  /** For a RowOrder over `data` and a HistogramBuilder with a pool for `maxLeaves` leaves. */
  static forTraining(data: BinnedData, maxLeaves: number, shared: boolean): KernelMemory {
    const { rows, features } = data;
    const arrays = [
      rows * features, // bins
      rows * features, // columns
      rows * 4, // rowIndex
      rows * 4, // scratchRows
      rows * 16, // gradient pairs
      (maxLeaves + 1) * data.histogramSlots * SLOT_WIDTH * 8, // histogram pool
      features * 8, // the pool's feature list
    ];
    const bytes = arrays.reduce((sum, size) => sum + Math.ceil(size / ALIGNMENT) * ALIGNMENT, 0);
    return new KernelMemory(wasmMemory(bytes), shared);
  }

  /** Ordinary buffers, one per array: the JavaScript kernel runs on them. */
  static plain(shared: boolean): KernelMemory {
    return new KernelMemory(undefined, shared);
  }

  uint8(length: number): Uint8Array {
    const [buffer, offset] = this.allocate(length);
    return new Uint8Array(buffer, offset, length);
  }

  int32(length: number): Int32Array {
    const [buffer, offset] = this.allocate(length * 4);
    return new Int32Array(buffer, offset, length);
  }

  uint32(length: number): Uint32Array {
    const [buffer, offset] = this.allocate(length * 4);
    return new Uint32Array(buffer, offset, length);
  }

  float64(length: number): Float64Array {
    const [buffer, offset] = this.allocate(length * 8);
    return new Float64Array(buffer, offset, length);
  }

  private allocate(bytes: number): [ArrayBufferLike, number] {
    if (this.wasm === undefined)
      return [this.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes), 0];
    const offset = this.next;
    const buffer = this.wasm.buffer;
    if (offset + bytes > buffer.byteLength) throw new RangeError('kernel memory exhausted');
    this.next = offset + Math.ceil(bytes / ALIGNMENT) * ALIGNMENT;
    return [buffer, offset];
  }
}

function wasmMemory(bytes: number): WebAssembly.Memory | undefined {
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE_BYTES));
  if (typeof WebAssembly === 'undefined' || pages > WASM_MAX_PAGES) return undefined;
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return undefined; // the address space or memory for it is not available: use plain buffers
  }
}
