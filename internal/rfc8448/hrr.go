package rfc8448

// §5 "HelloRetryRequest": the client offers an x25519 share; the server,
// preferring P-256, asks for one with a cookie.
const (
	// HRRClientX25519PrivateKey is "{client} create an ephemeral x25519 key pair: private key" (line 1601, 32 octets).
	HRRClientX25519PrivateKey = "0ed02f8e8117efc75ca7ac32aa7e34eda64cdc0ddad154a5e85289f959f63204"
	// HRRClientX25519PublicKey is "{client} create an ephemeral x25519 key pair: public key" (line 1604, 32 octets).
	HRRClientX25519PublicKey = "e8e8e3f3b93a25ed97a14a7dcacb8a272c6288e585c6484d05262fcad062ad1f"
	// HRRClientHello1 is "{client} construct a ClientHello handshake message: ClientHello" (line 1609, 180 octets).
	HRRClientHello1 = "" +
		"010000b00303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee92" +
		"58a346677b6f000006130113031302010000810000000b000900000673657276" +
		"6572ff01000100000a00080006001d00170018003300260024001d0020e8e8e3" +
		"f3b93a25ed97a14a7dcacb8a272c6288e585c6484d05262fcad062ad1f002b00" +
		"03020304000d0020001e04030503060302030804080508060401050106010201" +
		"0402050206020202002d00020101001c00024001"
	// HRRHelloRetryRequest is "{server} construct a ServerHello handshake message: ServerHello" (line 1656, 176 octets).
	HRRHelloRetryRequest = "" +
		"020000ac0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e" +
		"09e2c8a8339c001301000084003300020017002c0074007271dcd04bb88bc318" +
		"9119398a00000000eefafc76c146b823b096f8aacad365dd0030953f4edf6256" +
		"36e5f21bb2e23fcc654b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d" +
		"6e50781b5eda4aa15b0c8be778257d16aa3030e9e7841dd9e4c0342267e8ca0c" +
		"af571fb2b7cff0f934b0002b00020304"
	// HRRClientP256PrivateKey is "{client} create an ephemeral P-256 key pair: private key" (line 1700, 32 octets).
	HRRClientP256PrivateKey = "ab5473467e19346ceb0a0414e41da21d4d2445bc3025afe97c4e8dc8d513da39"
	// HRRClientP256PublicKey is "{client} create an ephemeral P-256 key pair: public key" (line 1703, 65 octets).
	HRRClientP256PublicKey = "" +
		"04a6da7392ec591e17abfd535964b99894d13befb221b3def2ebe3830eac8f01" +
		"51812677c4d6d2237e85cf01d6910cfb83954e76ba7352830534159897e80657" +
		"80"
	// HRRClientHello2 is "{client} construct a ClientHello handshake message: ClientHello" (line 1710, 512 octets).
	HRRClientHello2 = "" +
		"010001fc0303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee92" +
		"58a346677b6f000006130113031302010001cd0000000b000900000673657276" +
		"6572ff01000100000a00080006001d001700180033004700450017004104a6da" +
		"7392ec591e17abfd535964b99894d13befb221b3def2ebe3830eac8f01518126" +
		"77c4d6d2237e85cf01d6910cfb83954e76ba7352830534159897e8065780002b" +
		"0003020304000d0020001e040305030603020308040805080604010501060102" +
		"010402050206020202002c0074007271dcd04bb88bc3189119398a00000000ee" +
		"fafc76c146b823b096f8aacad365dd0030953f4edf625636e5f21bb2e23fcc65" +
		"4b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d6e50781b5eda4aa15b" +
		"0c8be778257d16aa3030e9e7841dd9e4c0342267e8ca0caf571fb2b7cff0f934" +
		"b0002d00020101001c00024001001500af000000000000000000000000000000" +
		"0000000000000000000000000000000000000000000000000000000000000000" +
		"0000000000000000000000000000000000000000000000000000000000000000" +
		"0000000000000000000000000000000000000000000000000000000000000000" +
		"0000000000000000000000000000000000000000000000000000000000000000" +
		"0000000000000000000000000000000000000000000000000000000000000000"
	// HRREarlySecret is "{server} extract secret "early": secret" (line 1813, 32 octets).
	HRREarlySecret = "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
	// HRRServerP256PrivateKey is "{server} create an ephemeral P-256 key pair: private key" (line 1818, 32 octets).
	HRRServerP256PrivateKey = "8c510601f9765bfb8ed693449a48989859b5cfa879cb9f5443c41c5ff10634ed"
	// HRRServerP256PublicKey is "{server} create an ephemeral P-256 key pair: public key" (line 1821, 65 octets).
	HRRServerP256PublicKey = "" +
		"04583e054b7a66672ae020ad9d2686fcc85b5ad41a134a0f03ee72b893052bd8" +
		"5b4c8de6776f5b04ac07d83540eab3e3d9c547bc6528c4317d294686093a6cad" +
		"7d"
	// HRRServerHello is "{server} construct a ServerHello handshake message: ServerHello" (line 1828, 123 octets).
	HRRServerHello = "" +
		"020000770303bb341d847fd789c47c387172dc0c9bf147fccacb5043d86ca4c5" +
		"98d3ff571b9800130100004f003300450017004104583e054b7a66672ae020ad" +
		"9d2686fcc85b5ad41a134a0f03ee72b893052bd85b4c8de6776f5b04ac07d835" +
		"40eab3e3d9c547bc6528c4317d294686093a6cad7d002b00020304"
	// HRRDerivedForHandshake is "{server} derive secret for handshake "tls13 derived": expanded" (line 1855, 32 octets).
	HRRDerivedForHandshake = "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba"
	// HRRSharedSecret is "{server} extract secret "handshake": IKM" (line 1863, 32 octets).
	HRRSharedSecret = "c142ce13ca11b5c2233652e63ad3d97844f1621fbfb9de69d547dc8fedeabeb4"
	// HRRHandshakeSecret is "{server} extract secret "handshake": secret" (line 1866, 32 octets).
	HRRHandshakeSecret = "ce022e5e6e81e50736d773f2d3adfce8220d049bf510f0dbfac927ef4243b148"
	// HRRHelloHash is "{server} derive secret "tls13 c hs traffic": hash" (line 1874, 32 octets).
	HRRHelloHash = "8aa8e828ec2f8a884fec95a3139de01c15a3daa7ff5bfc3f4bfcc21b438d7bf8"
	// HRRClientHandshakeTrafficSecret is "{server} derive secret "tls13 c hs traffic": expanded" (line 1881, 32 octets).
	HRRClientHandshakeTrafficSecret = "158aa7ab8855073582b41d674b4055cabcc534728f659314861b4e08e2011566"
	// HRRServerHandshakeTrafficSecret is "{server} derive secret "tls13 s hs traffic": expanded" (line 1896, 32 octets).
	HRRServerHandshakeTrafficSecret = "3403e781e2af7b6508da28574f6e95a1abf162de83a97927c37672a4a0cef8a1"
	// HRRDerivedForMaster is "{server} derive secret for master "tls13 derived": expanded" (line 1918, 32 octets).
	HRRDerivedForMaster = "ad1cbcd3a0dc7053eeb3ed3a47901d16a9fc63a73c64beb567481a7dfb3a2cb3"
	// HRRMasterSecret is "{server} extract secret "master": secret" (line 1929, 32 octets).
	HRRMasterSecret = "1131545d0baf79ddce9b87f06945781a57dd18ef378dcd2060f8f9a569027ed8"
	// HRRServerHandshakeKey is "{server} derive write traffic keys for handshake data: key expanded" (line 1957, 16 octets).
	HRRServerHandshakeKey = "4646bfac1712c426cd78d8a24a8a6f6b"
	// HRRServerHandshakeIV is "{server} derive write traffic keys for handshake data: iv expanded" (line 1969, 12 octets).
	HRRServerHandshakeIV = "c7d395c08d62f297d13768ea"
	// HRREncryptedExtensions is "{server} construct an EncryptedExtensions handshake message: EncryptedExtensions" (line 1973, 28 octets).
	HRREncryptedExtensions = "080000180016000a0008000600170018001d001c0002400100000000"
	// HRRServerCertificate is "{server} construct a Certificate handshake message: Certificate" (line 1978, 445 octets).
	HRRServerCertificate = "" +
		"0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a" +
		"864886f70d01010b0500300e310c300a06035504031303727361301e170d3136" +
		"303733303031323335395a170d3236303733303031323335395a300e310c300a" +
		"0603550403130372736130819f300d06092a864886f70d010101050003818d00" +
		"30818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826" +
		"d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced4312" +
		"0998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda4308467480" +
		"30530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a" +
		"8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b060355" +
		"1d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5" +
		"b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a5" +
		"8c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102" +
		"702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0" +
		"a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000"
	// HRRServerCertificateVerify is "{server} construct a CertificateVerify handshake message: CertificateVerify" (line 2003, 136 octets).
	HRRServerCertificateVerify = "" +
		"0f0000840804008033ab13d4462707231b5dcae6c8190b63d1dabc74f28c3953" +
		"70da0b07e5b83066d0246a31acd95df475bfd799a4a70d33ad93d3a317a9b2c0" +
		"d237a5685b219e774112e391a247607d1aeff1bbd0a39f382ee1a5fe88ae99ec" +
		"59228e6497e45d48ce275a6d5ef40d169fb6f9d33b052ed3dcdd6b5a48baafff" +
		"bcb290128415bd38"
	// HRRServerFinishedKey is "{server} calculate finished "tls13 finished": expanded" (line 2028, 32 octets).
	HRRServerFinishedKey = "e7f8bb3ea4b6c30c4710b3d09c3313658117e70b097e850368e2510ca5631f74"
	// HRRServerVerifyData is "{server} calculate finished "tls13 finished": finished" (line 2031, 32 octets).
	HRRServerVerifyData = "8863e6bfb0420a927fa27f34336a70ae426e968e3eb884945b96856dba3976d1"
	// HRRServerFinished is "{server} construct a Finished handshake message: Finished" (line 2036, 36 octets).
	HRRServerFinished = "" +
		"140000208863e6bfb0420a927fa27f34336a70ae426e968e3eb884945b96856d" +
		"ba3976d1"
	// HRRServerFinishedHash is "{server} derive secret "tls13 c ap traffic": hash" (line 2122, 32 octets).
	HRRServerFinishedHash = "50f63cbf36b0dd049e7a0ba27d6455745ea2aaac54bb167f9950b2b7ce9509da"
	// HRRClientApplicationTrafficSecret is "{server} derive secret "tls13 c ap traffic": expanded" (line 2139, 32 octets).
	HRRClientApplicationTrafficSecret = "75ecf4b972525aa0dcd057c9944d4cd5d82671d8843141d7dc2a4ff15a21dc51"
	// HRRServerApplicationTrafficSecret is "{server} derive secret "tls13 s ap traffic": expanded" (line 2154, 32 octets).
	HRRServerApplicationTrafficSecret = "5c74f87df04225db0f8209c9de6429e49435fdefa7cad61864874d12f31cfc8d"
	// HRRExporterMasterSecret is "{server} derive secret "tls13 exp master": expanded" (line 2169, 32 octets).
	HRRExporterMasterSecret = "7c06d3ae106a3a374ace4837b3985cac67780a6e2c5c04b58319d584df09d223"
	// HRRServerApplicationKey is "{server} derive write traffic keys for application data: key expanded" (line 2179, 16 octets).
	HRRServerApplicationKey = "f27a5d97bd25550c4823b0f3e5d29388"
	// HRRServerApplicationIV is "{server} derive write traffic keys for application data: iv expanded" (line 2191, 12 octets).
	HRRServerApplicationIV = "0dd631f7b71cbbc797c35fe7"
	// HRRClientHandshakeKey is "{server} derive read traffic keys for handshake data: key expanded" (line 2200, 16 octets).
	HRRClientHandshakeKey = "2f1f918663d590e7421149a29d94b0b6"
	// HRRClientHandshakeIV is "{server} derive read traffic keys for handshake data: iv expanded" (line 2205, 12 octets).
	HRRClientHandshakeIV = "414d5485235e1a688793bd74"
	// HRRClientFinishedKey is "{client} calculate finished "tls13 finished": expanded" (line 2269, 32 octets).
	HRRClientFinishedKey = "81be4131fbb9b6f4471450846f74fd1e68c5224ba7c2a8677f5c53ad226fdc13"
	// HRRClientVerifyData is "{client} calculate finished "tls13 finished": finished" (line 2272, 32 octets).
	HRRClientVerifyData = "23f52fdb0709a55bd7f79b991f25484087bcfd4d4380b12326a52a28b2e368e1"
	// HRRClientFinished is "{client} construct a Finished handshake message: Finished" (line 2277, 36 octets).
	HRRClientFinished = "" +
		"1400002023f52fdb0709a55bd7f79b991f25484087bcfd4d4380b12326a52a28" +
		"b2e368e1"
	// HRRClientApplicationKey is "{client} derive write traffic keys for application data: key expanded" (line 2305, 16 octets).
	HRRClientApplicationKey = "a7eb2a0525eb4331d58fcbf9f7ca2e9c"
	// HRRClientApplicationIV is "{client} derive write traffic keys for application data: iv expanded" (line 2310, 12 octets).
	HRRClientApplicationIV = "86e8be227c1bd2b3e39cb444"
	// HRRClientFinishedHash is "{client} derive secret "tls13 res master": hash" (line 2317, 32 octets).
	HRRClientFinishedHash = "0e8b349158b855fdcd0c11dbbc4e83e43caa6e483c6c65df53151888e50165f4"
	// HRRResumptionMasterSecret is "{client} derive secret "tls13 res master": expanded" (line 2324, 32 octets).
	HRRResumptionMasterSecret = "09170c6d472721566f9cf99b08699daff561ec8fb22d5a32c3f94ce009b69975"
)
