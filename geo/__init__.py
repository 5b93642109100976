"""The pure analysis core: frames and arrays in, frames and arrays out; no I/O and no UI text."""
