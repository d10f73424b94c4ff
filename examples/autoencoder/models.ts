// The unsupervised models of the autoencoder example: a convolutional autoencoder, a variational
// autoencoder, and a small GAN, all on 28×28 digits.
import { Generator, exp, mul, randn, sum, add, sub, type Tensor } from '@dl/autograd';
import { Conv2d, ConvTranspose2d, Dropout, LeakyReLU, Linear, Module, ReLU, Sequential, Flatten } from '@dl/nn';

/**
 * Conv encoder 1×28×28 → 16×14×14 → 32×7×7 → latent, and its mirror image with transposed
 * convolutions back to 1×28×28. `forward` returns pixel logits (sigmoid gives the image).
 */
export class ConvAutoencoder extends Module {
  encoder: Sequential;
  decoderInput: Linear;
  decoder: Sequential;

  constructor(latent: number, g?: Generator) {
    super();
    this.encoder = new Sequential(
      new Conv2d(1, 16, 3, { stride: 2, padding: 1, generator: g }),
      new ReLU(),
      new Conv2d(16, 32, 3, { stride: 2, padding: 1, generator: g }),
      new ReLU(),
      new Flatten(),
      new Linear(32 * 7 * 7, latent, { generator: g }),
    );
    this.decoderInput = new Linear(latent, 32 * 7 * 7, { generator: g });
    this.decoder = new Sequential(
      new ConvTranspose2d(32, 16, 3, { stride: 2, padding: 1, outputPadding: 1, generator: g }),
      new ReLU(),
      new ConvTranspose2d(16, 1, 3, { stride: 2, padding: 1, outputPadding: 1, generator: g }),
    );
  }

  /** Images [N,1,28,28] → codes [N, latent]. */
  encode(x: Tensor): Tensor {
    return this.encoder.forward(x);
  }
  /** Codes [N, latent] → pixel logits [N,1,28,28]. */
  decode(z: Tensor): Tensor {
    const h = this.decoderInput.forward(z).relu();
    return this.decoder.forward(h.reshape(z.shape[0]!, 32, 7, 7));
  }
  /** Images → reconstructed pixel logits. */
  forward(x: Tensor): Tensor {
    return this.decode(this.encode(x));
  }
}

/** What the VAE's forward gives: pixel logits and the approximate posterior N(mu, exp(logVar)). */
export interface VaeOutput {
  logits: Tensor;
  mu: Tensor;
  logVar: Tensor;
}

/**
 * A variational autoencoder (Kingma & Welling): an MLP encoder to the mean and log-variance of
 * q(z|x), a sample z = mu + exp(logVar/2)·ε (the reparameterisation trick), and an MLP decoder.
 */
export class VAE extends Module {
  readonly latent: number;
  fc1: Linear;
  fcMu: Linear;
  fcLogVar: Linear;
  fc2: Linear;
  fc3: Linear;
  readonly #g: Generator | undefined;

  constructor(latent: number, hidden: number, g?: Generator) {
    super();
    this.latent = latent;
    this.#g = g;
    this.fc1 = new Linear(784, hidden, { generator: g });
    this.fcMu = new Linear(hidden, latent, { generator: g });
    this.fcLogVar = new Linear(hidden, latent, { generator: g });
    this.fc2 = new Linear(latent, hidden, { generator: g });
    this.fc3 = new Linear(hidden, 784, { generator: g });
  }

  /** Images [N,1,28,28] → the posterior's mean and log-variance, each [N, latent]. */
  encode(x: Tensor): { mu: Tensor; logVar: Tensor } {
    const h = this.fc1.forward(x.reshape(x.shape[0]!, 784)).relu();
    return { mu: this.fcMu.forward(h), logVar: this.fcLogVar.forward(h) };
  }
  /** Codes [N, latent] → pixel logits [N,1,28,28]. */
  decode(z: Tensor): Tensor {
    return this.fc3.forward(this.fc2.forward(z).relu()).reshape(z.shape[0]!, 1, 28, 28);
  }
  /** Encodes, samples z with the reparameterisation trick in training (the mean in eval), decodes. */
  forward(x: Tensor): VaeOutput {
    const { mu, logVar } = this.encode(x);
    const z = this.training ? add(mu, mul(exp(mul(logVar, 0.5)), randn(mu.shape, { generator: this.#g }))) : mu;
    return { logits: this.decode(z), mu, logVar };
  }
}

/** KL(q(z|x) ‖ N(0, I)) summed over the batch: −½ Σ (1 + logVar − mu² − exp(logVar)). */
export function klDivergence(mu: Tensor, logVar: Tensor): Tensor {
  return mul(sum(sub(sub(add(logVar, 1), mul(mu, mu)), exp(logVar))), -0.5);
}

/** The GAN's generator: noise [N, noise] → pixel values in (−1, 1), [N,1,28,28]. */
export class GanGenerator extends Module {
  net: Sequential;
  constructor(noise: number, hidden: number, g?: Generator) {
    super();
    this.net = new Sequential(
      new Linear(noise, hidden, { generator: g }),
      new LeakyReLU({ negativeSlope: 0.2 }),
      new Linear(hidden, 2 * hidden, { generator: g }),
      new LeakyReLU({ negativeSlope: 0.2 }),
      new Linear(2 * hidden, 784, { generator: g }),
    );
  }
  /** Noise → images in (−1, 1). */
  forward(z: Tensor): Tensor {
    return this.net.forward(z).tanh().reshape(z.shape[0]!, 1, 28, 28);
  }
}

/** The GAN's discriminator: images [N,1,28,28] in (−1, 1) → one logit each, [N, 1]. */
export class GanDiscriminator extends Module {
  net: Sequential;
  constructor(hidden: number, g?: Generator) {
    super();
    // Dropout keeps the discriminator from memorising the few thousand real digits.
    this.net = new Sequential(
      new Flatten(),
      new Linear(784, 2 * hidden, { generator: g }),
      new LeakyReLU({ negativeSlope: 0.2 }),
      new Dropout(0.3),
      new Linear(2 * hidden, hidden, { generator: g }),
      new LeakyReLU({ negativeSlope: 0.2 }),
      new Dropout(0.3),
      new Linear(hidden, 1, { generator: g }),
    );
  }
  /** Images → real-vs-fake logits. */
  forward(x: Tensor): Tensor {
    return this.net.forward(x);
  }
}
