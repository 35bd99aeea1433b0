package rfc8448

import (
	"crypto/rsa"
	"math/big"
)

// §2 "Private Keys": the RSA key of the server certificate in §3, §4, §5
// and §7. The trace also lists the CRT values, which rsa.PrivateKey.Precompute
// derives from these.
const (
	// ServerRSAModulus is its modulus.
	ServerRSAModulus = "" +
		"b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd" +
		"2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0" +
		"ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8c" +
		"a9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f"
	// ServerRSAPublicExponent is its public exponent.
	ServerRSAPublicExponent = "010001"
	// ServerRSAPrivateExponent is its private exponent.
	ServerRSAPrivateExponent = "" +
		"04dea705d43a6ea7209dd8072111a83c81e322a59278b33480641eaf7c0a6985" +
		"b8e31c44f6de62e1b4c2309f6126e77b7c41e923314bbfa3881305dc1217f16c" +
		"819ce538e922f369828d0e57195d8c8488460207b2faa726bcf708bbd7db7f67" +
		"9f893492fc2a622e08970aac441ce4e0c3088df25ae679233df8a3bda2ff9941"
	// ServerRSAPrime1 is its first prime.
	ServerRSAPrime1 = "" +
		"e435fb7cc83737756dacea96ab7f59a2cc1069db7deb190e17e33a532b273f30" +
		"a327aa0aaabc58cd67466af9845fadc675fe094af92c4bd1f2c1bc33dd2e0515"
	// ServerRSAPrime2 is its second prime.
	ServerRSAPrime2 = "" +
		"cabd3bc0e0438664c8d4cc9f99977a94d9bbfead8e43870abae3f7eb8b4e0eee" +
		"8af1d9b4719ba6196cf2cbbaeeebf8b3490afe9e9ffa74a88aa51fc645629303"
)

// ServerRSAKey returns the server's private key, rebuilt from §2; its
// public half is the key in SimpleServerCertificate's leaf. Each call
// returns a new key.
func ServerRSAKey() *rsa.PrivateKey {
	num := func(h string) *big.Int { return new(big.Int).SetBytes(Bytes(h)) }
	k := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: num(ServerRSAModulus), E: int(num(ServerRSAPublicExponent).Int64())},
		D:         num(ServerRSAPrivateExponent),
		Primes:    []*big.Int{num(ServerRSAPrime1), num(ServerRSAPrime2)},
	}
	k.Precompute()
	return k
}
