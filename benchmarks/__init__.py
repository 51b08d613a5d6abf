"""genbench: a reproducible benchmark of a VAE and GANs on MNIST."""
