// End-to-end tests that run the built `layersweep` binary live in this target.
import Testing
