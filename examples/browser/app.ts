// The demo page: downloads the digits, trains TorchCNN from @dl/nn with Adam in the page (on WebGPU when
// the browser has an adapter, else on the wasm backend: float32 products in WebAssembly SIMD), plots loss
// and test accuracy as it goes, and predicts the digit drawn on the canvas with the class probabilities.
// `?device=cpu` (or `webgpu`) in the URL chooses. `window.dlDemo` exposes the progress for the end-to-end test.
import { availableBackends, getBackend, initWebGpu, manualSeed, noGrad, setBackend, softmax, Tensor, argmax, eq, sum, type Device } from '@dl/autograd';
import { DataLoader, TensorDataset } from '@dl/data';
import { TorchCNN, crossEntropy } from '@dl/nn';
import { Adam } from '@dl/optim';
import { decodeDigits, PIXELS, SIDE, type DigitBytes } from './digits.js';
import type { DemoState } from './state.js';

const MEAN = 0.1307;
const STD = 0.3081;
const BATCH = 32;
const EVAL_EVERY = 40;
const EVAL_SIZE = 500;

const state: DemoState = { backend: '', device: 'cpu', webgpu: '', steps: 0, losses: [], accuracy: [], prediction: null, error: null };
(window as unknown as { dlDemo: DemoState }).dlDemo = state;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** Images of one split as a standardised float32 tensor [N, 1, 28, 28], labels as int32 [N]. */
function toTensors(d: DigitBytes): { x: Tensor; y: Tensor } {
  const n = d.labels.length;
  const x = new Float32Array(n * PIXELS);
  for (let i = 0; i < x.length; i++) x[i] = (d.images[i]! / 255 - MEAN) / STD;
  return { x: new Tensor(x, [n, 1, SIDE, SIDE]), y: new Tensor(Int32Array.from(d.labels), [n]) };
}

/** The loss curve (smoothed) and the test accuracy points. */
function drawChart(): void {
  const c = $<HTMLCanvasElement>('chart');
  const g = c.getContext('2d')!;
  const [w, h, pad] = [c.width, c.height, 30];
  g.clearRect(0, 0, w, h);
  g.strokeStyle = '#ccc';
  g.strokeRect(pad, 8, w - pad - 8, h - pad - 8);
  g.fillStyle = '#555';
  g.font = '11px system-ui';
  g.fillText('loss', 2, 16);
  g.fillStyle = '#d8593b';
  g.fillText('accuracy 100%', w - 84, 20);
  g.fillStyle = '#555';
  g.fillText('0', 18, h - pad + 4);
  g.fillText(`${state.steps} steps`, w - 70, h - 10);
  const n = state.losses.length;
  if (n === 0) return;
  const top = Math.max(2.5, ...state.losses.slice(0, 5));
  const xAt = (i: number) => pad + ((w - pad - 8) * i) / Math.max(n - 1, 1);
  const yAt = (v: number) => 8 + (h - pad - 8) * (1 - Math.min(v, top) / top);
  g.strokeStyle = '#3b7dd8';
  g.beginPath();
  let avg = state.losses[0]!;
  state.losses.forEach((l, i) => {
    avg = 0.9 * avg + 0.1 * l;
    if (i === 0) g.moveTo(xAt(i), yAt(avg));
    else g.lineTo(xAt(i), yAt(avg));
  });
  g.stroke();
  g.fillStyle = '#d8593b';
  for (const a of state.accuracy) {
    g.beginPath();
    g.arc(xAt(a.step - 1), 8 + (h - pad - 8) * (1 - a.value), 3, 0, 2 * Math.PI);
    g.fill();
  }
  const last = state.accuracy[state.accuracy.length - 1];
  $('stats').textContent = `step ${state.steps}, loss ${avg.toFixed(3)}` + (last ? `, test accuracy ${(100 * last.value).toFixed(1)}% (${EVAL_SIZE} digits, red dots)` : '');
}

/**
 * The device to train on: the URL's `?device=` when given, else WebGPU when `initWebGpu` finds an adapter;
 * and what was found, in words.
 */
async function chooseDevice(): Promise<[Device, string]> {
  const asked = new URLSearchParams(location.search).get('device');
  if (asked === 'cpu') return ['cpu', 'CPU asked for in the URL'];
  try {
    await initWebGpu();
    return ['webgpu', 'WebGPU adapter found'];
  } catch (e) {
    if (asked === 'webgpu') throw e;
    return ['cpu', e instanceof Error ? e.message : String(e)];
  }
}

/** The drawing as a 28×28 MNIST-style digit: the strokes' box scaled into 20×20, centred by mass. */
function drawnDigit(canvas: HTMLCanvasElement): Float32Array | null {
  const g = canvas.getContext('2d')!;
  const { width: W, height: H } = canvas;
  const px = g.getImageData(0, 0, W, H).data;
  let [x0, y0, x1, y1] = [W, H, -1, -1];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    if (px[(y * W + x) * 4]! > 0) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  }
  if (x1 < 0) return null;
  const [bw, bh] = [x1 - x0 + 1, y1 - y0 + 1];
  const scale = 20 / Math.max(bw, bh);
  const small = document.createElement('canvas');
  small.width = small.height = SIDE;
  const s = small.getContext('2d')!;
  const [dw, dh] = [bw * scale, bh * scale];
  s.drawImage(canvas, x0, y0, bw, bh, (SIDE - dw) / 2, (SIDE - dh) / 2, dw, dh);
  const raw = s.getImageData(0, 0, SIDE, SIDE).data;
  const v = new Float32Array(PIXELS);
  let [mass, mx, my] = [0, 0, 0];
  for (let i = 0; i < PIXELS; i++) {
    v[i] = raw[i * 4]! / 255;
    mass += v[i]!;
    mx += v[i]! * (i % SIDE);
    my += v[i]! * Math.floor(i / SIDE);
  }
  const [sx, sy] = [Math.round(13.5 - mx / mass), Math.round(13.5 - my / mass)];
  const out = new Float32Array(PIXELS);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) {
    const [fx, fy] = [x - sx, y - sy];
    const p = fx >= 0 && fx < SIDE && fy >= 0 && fy < SIDE ? v[fy * SIDE + fx]! : 0;
    out[y * SIDE + x] = (p - MEAN) / STD;
  }
  return out;
}

async function showPrediction(model: TorchCNN, canvas: HTMLCanvasElement): Promise<void> {
  const digit = drawnDigit(canvas);
  if (digit === null) return;
  const probs = noGrad(() => softmax(model.forward(new Tensor(digit, [1, 1, SIDE, SIDE]).to(state.device)), 1));
  const p = Array.from(await probs.dataAsync());
  const best = p.indexOf(Math.max(...p));
  state.prediction = { digit: best, probabilities: p };
  $('guess').textContent = String(best);
  $('bars').innerHTML = p.map((q, i) => `<div>${i}</div><div class="bar" style="width:${(180 * q).toFixed(1)}px"></div><div>${(100 * q).toFixed(1)}%</div>`).join('');
}

function setUpDrawing(canvas: HTMLCanvasElement, onStroke: () => void): void {
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  g.lineWidth = 20;
  g.lineCap = g.lineJoin = 'round';
  g.strokeStyle = '#fff';
  let drawing = false;
  const at = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
  };
  canvas.addEventListener('pointerdown', (e) => {
    drawing = true;
    g.beginPath();
    g.moveTo(...at(e));
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    g.lineTo(...at(e));
    g.stroke();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    onStroke();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointerleave', end);
  $('clear').addEventListener('click', () => {
    g.clearRect(0, 0, canvas.width, canvas.height);
    state.prediction = null;
    $('guess').textContent = '';
    $('bars').innerHTML = '';
  });
}

async function main(): Promise<void> {
  // The first backend this browser runs: wasm where WebAssembly SIMD compiles, else plain TypeScript.
  setBackend(availableBackends()[0]!);
  [state.device, state.webgpu] = await chooseDevice();
  state.backend = state.device === 'webgpu' ? 'webgpu' : getBackend();
  const response = await fetch('/digits.bin');
  if (!response.ok) throw new Error(`digits.bin: HTTP ${response.status}`);
  const { train, test } = decodeDigits(new Uint8Array(await response.arrayBuffer()));
  const tr = toTensors(train);
  const te = toTensors(test);
  const testX = te.x.narrow(0, 0, Math.min(EVAL_SIZE, te.y.numel())).to(state.device);
  const testY = te.y.narrow(0, 0, Math.min(EVAL_SIZE, te.y.numel()));
  $('status').textContent = state.device === 'webgpu'
    ? `Training on ${train.labels.length} digits on the GPU (WebGPU).`
    : `Training on ${train.labels.length} digits on the CPU, '${state.backend}' backend (${state.webgpu}).`;

  manualSeed(0);
  // Parameters are made on the CPU from the seed, then moved: the same start on either device.
  const model = new TorchCNN(1, 16, 10).to(state.device);
  const opt = new Adam(model.parameters(), { lr: 2e-3 });
  const canvas = $<HTMLCanvasElement>('draw');
  setUpDrawing(canvas, () => void showPrediction(model, canvas).catch(fail));
  let paused = false;
  $('pause').addEventListener('click', () => {
    paused = !paused;
    $('pause').textContent = paused ? 'Resume' : 'Pause';
  });

  // dropLast: every step sees a full batch, as the loss curve assumes.
  const loader = new DataLoader(new TensorDataset(tr.x, tr.y), { batchSize: BATCH, shuffle: true, dropLast: true });
  for (;;) {
    for (const [xb, yb] of loader) {
      while (paused) await new Promise((r) => setTimeout(r, 100));
      opt.zeroGrad();
      // Images go to the device; labels stay on the CPU, where the loss checks them against the classes.
      const loss = crossEntropy(model.forward(xb.to(state.device)), yb);
      loss.backward();
      opt.step();
      // Reading the loss submits the step's queued GPU work and waits for it.
      state.losses.push(await loss.itemAsync());
      state.steps++;
      if (state.steps % EVAL_EVERY === 0) {
        const logits = await noGrad(() => model.forward(testX)).cpuAsync();
        const right = sum(eq(argmax(logits, { dim: 1 }), testY)).item();
        state.accuracy.push({ step: state.steps, value: right / testY.numel() });
      }
      if (state.steps % 5 === 0) drawChart();
      // Let the page draw and take input between batches.
      await new Promise((r) => setTimeout(r, 0));
    }
  }
}

function fail(e: unknown): void {
  state.error = e instanceof Error ? e.message : String(e);
  $('status').textContent = `Error: ${state.error}`;
}

main().catch(fail);
