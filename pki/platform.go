package pki

import "runtime"

// PlatformVerifies reports whether crypto/x509 hands chains under the
// system's roots to the operating system's own verifier (macOS, iOS,
// Windows), whose verdict for the same certificates can change from one
// verification to the next (online revocation, an intermediate the user
// distrusts). Recheck then vouches for nothing: every chain is verified
// anew.
var PlatformVerifies = runtime.GOOS == "darwin" || runtime.GOOS == "ios" || runtime.GOOS == "windows"
