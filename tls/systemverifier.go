package tls

import "runtime"

// systemVerifier reports whether crypto/x509 verifies chains under the
// system's roots through the operating system's own verifier, whose
// verdict for the same certificates can change between connections: a
// chain it accepted once is not rechecked on Lucid's side (chainMemo).
var systemVerifier = runtime.GOOS == "darwin" || runtime.GOOS == "ios" || runtime.GOOS == "windows"
