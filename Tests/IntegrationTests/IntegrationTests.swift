// The integration suites run the built binary against real runtimes and kernel objects.
import Testing
