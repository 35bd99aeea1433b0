package rfc8448

// §6 "Client Authentication": the server, with an ECDSA P-256 certificate,
// asks for and receives the client's RSA certificate. Neither private key is
// published.
const (
	// ClientAuthClientX25519PrivateKey is "{client} create an ephemeral x25519 key pair: private key" (line 2369, 32 octets).
	ClientAuthClientX25519PrivateKey = "c040b2bb8f3addd20fd4058c547003a3c6f9c1cd915d5e535c87d8d191aaf071"
	// ClientAuthClientX25519PublicKey is "{client} create an ephemeral x25519 key pair: public key" (line 2372, 32 octets).
	ClientAuthClientX25519PublicKey = "089cc2671f738d9a671e5b2e464981d05b76e361aa22aea91f1d49ca10a7a362"
	// ClientAuthClientHello is "{client} construct a ClientHello handshake message: ClientHello" (line 2377, 192 octets).
	ClientAuthClientHello = "" +
		"010000bc03036a472236328b83af40386d3a3e1f1ce624fa4ed89ab865a4ff0f" +
		"4144ce3ae2330000061301130313020100008d0000000b000900000673657276" +
		"6572ff01000100000a00140012001d0017001800190100010101020103010400" +
		"3300260024001d0020089cc2671f738d9a671e5b2e464981d05b76e361aa22ae" +
		"a91f1d49ca10a7a362002b0003020304000d0020001e04030503060302030804" +
		"0805080604010501060102010402050206020202002d00020101001c00024001"
	// ClientAuthEarlySecret is "{server} extract secret "early": secret" (line 2427, 32 octets).
	ClientAuthEarlySecret = "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
	// ClientAuthServerX25519PrivateKey is "{server} create an ephemeral x25519 key pair: private key" (line 2432, 32 octets).
	ClientAuthServerX25519PrivateKey = "7382a5ad1cdd2056ae18cc708bd007d98130dbe2cd4d9ead9b96952becbb0888"
	// ClientAuthServerX25519PublicKey is "{server} create an ephemeral x25519 key pair: public key" (line 2435, 32 octets).
	ClientAuthServerX25519PublicKey = "6c2e50e865919a6b5a12dfaf918f92b442567b0f89bc54478c6921366658f062"
	// ClientAuthServerHello is "{server} construct a ServerHello handshake message: ServerHello" (line 2440, 90 octets).
	ClientAuthServerHello = "" +
		"0200005603033b50fdf1c3d572e40e68953e7fff4e2758459c59afa0582c0ea0" +
		"32874255fe6e00130100002e00330024001d00206c2e50e865919a6b5a12dfaf" +
		"918f92b442567b0f89bc54478c6921366658f062002b00020304"
	// ClientAuthDerivedForHandshake is "{server} derive secret for handshake "tls13 derived": expanded" (line 2458, 32 octets).
	ClientAuthDerivedForHandshake = "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba"
	// ClientAuthSharedSecret is "{server} extract secret "handshake": IKM" (line 2476, 32 octets).
	ClientAuthSharedSecret = "7dc114f6475dfa7977be736ef7cbebc48c70329e8e9a74b4d7033c43f9597d4f"
	// ClientAuthHandshakeSecret is "{server} extract secret "handshake": secret" (line 2479, 32 octets).
	ClientAuthHandshakeSecret = "d995243674fb6400d7d37bc0e9861bdbd9ed095601dcf2994874f2803de22e39"
	// ClientAuthHelloHash is "{server} derive secret "tls13 c hs traffic": hash" (line 2487, 32 octets).
	ClientAuthHelloHash = "88ebc042bd0d5a643b22fca7a47defd4007dfe184949a6261c596c4e002a74a2"
	// ClientAuthClientHandshakeTrafficSecret is "{server} derive secret "tls13 c hs traffic": expanded" (line 2494, 32 octets).
	ClientAuthClientHandshakeTrafficSecret = "cec7a30c6872070f22a7eeb065768db67c45e29533db879908ce6dc66f5911de"
	// ClientAuthServerHandshakeTrafficSecret is "{server} derive secret "tls13 s hs traffic": expanded" (line 2509, 32 octets).
	ClientAuthServerHandshakeTrafficSecret = "8b02d3c00442a2722c4098ebe8675b23e801510f0d7ed778d8eb0b8f42a19a5e"
	// ClientAuthDerivedForMaster is "{server} derive secret for master "tls13 derived": expanded" (line 2531, 32 octets).
	ClientAuthDerivedForMaster = "74575526b07c81a9c1b17e6b34e0e6d084747a61f396f597ebb92c0736ec60e8"
	// ClientAuthMasterSecret is "{server} extract secret "master": secret" (line 2542, 32 octets).
	ClientAuthMasterSecret = "57c15d7b9d441b3d40a9c6ea8a3d730e07b3a1ea7a3339ed7070b9a74a3f4f28"
	// ClientAuthServerHandshakeKey is "{server} derive write traffic keys for handshake data: key expanded" (line 2566, 16 octets).
	ClientAuthServerHandshakeKey = "6cb6e60619d8c7355c5d4c4bc2be90d5"
	// ClientAuthServerHandshakeIV is "{server} derive write traffic keys for handshake data: iv expanded" (line 2571, 12 octets).
	ClientAuthServerHandshakeIV = "64f239530c3b888fde85e0be"
	// ClientAuthEncryptedExtensions is "{server} construct an EncryptedExtensions handshake message: EncryptedExtensions" (line 2585, 40 octets).
	ClientAuthEncryptedExtensions = "" +
		"080000240022000a00140012001d00170018001901000101010201030104001c" +
		"0002400100000000"
	// ClientAuthCertificateRequest is "{server} construct a CertificateRequest handshake message: CertificateRequest" (line 2591, 43 octets).
	ClientAuthCertificateRequest = "" +
		"0d000027000024000d0020001e04030503060302030804080508060401050106" +
		"0102010402050206020202"
	// ClientAuthServerCertificate is "{server} construct a Certificate handshake message: Certificate" (line 2597, 319 octets).
	ClientAuthServerCertificate = "" +
		"0b00013b000001370001323082012e3081d5a003020102020107300a06082a86" +
		"48ce3d04030230133111300f060355040313086563647361323536301e170d31" +
		"36303733303031323430305a170d3236303733303031323430305a3013311130" +
		"0f0603550403130865636473613235363059301306072a8648ce3d020106082a" +
		"8648ce3d0301070342000408d530161575f4cfe7f154ee3448180086001e8843" +
		"1a79ee62ee6e2f83ef38ba61e9fb37f34e007a7df4d2f5b56d1f04ece45d621f" +
		"468406f5c3a15158948dd0a31a301830090603551d1304023000300b0603551d" +
		"0f040403020780300a06082a8648ce3d0403020348003045022100df30fd4507" +
		"f5edd22c1a6ff86db479ca693feeca3b71b3f9ef556b2937c0594d022062e2a4" +
		"7250d320fea83c7e2dcb5b76a50e0200c09adbd13fee946e513e011d110000"
	// ClientAuthServerCertificateVerify is "{server} construct a CertificateVerify handshake message: CertificateVerify" (line 2616, 79 octets).
	ClientAuthServerCertificateVerify = "" +
		"0f00004b040300473045022100d7a4d34bd54f55fee1a89625678c3dd5e5f60d" +
		"ac73ec940c5c7b9304a02084a90220289f595ed488b9ac689a3d192b1a8bb38f" +
		"34af7874c059c9806a1f38269353e8"
	// ClientAuthServerFinishedKey is "{server} calculate finished "tls13 finished": expanded" (line 2639, 32 octets).
	ClientAuthServerFinishedKey = "4e795cde239d5e190eae441b9e716eeb138549058cdb76fa9aeeaf548aef563e"
	// ClientAuthServerVerifyData is "{server} calculate finished "tls13 finished": finished" (line 2642, 32 octets).
	ClientAuthServerVerifyData = "93b70cdf4781985b96345caac701b4e750d3042df1a689d8faca812251113c11"
	// ClientAuthServerFinished is "{server} construct a Finished handshake message: Finished" (line 2647, 36 octets).
	ClientAuthServerFinished = "" +
		"1400002093b70cdf4781985b96345caac701b4e750d3042df1a689d8faca8122" +
		"51113c11"
	// ClientAuthServerFinishedHash is "{server} derive secret "tls13 c ap traffic": hash" (line 2720, 32 octets).
	ClientAuthServerFinishedHash = "5177a29af5a17f9b4933e431851d128345366c1720d38f8f0465eeeae6740372"
	// ClientAuthClientApplicationTrafficSecret is "{server} derive secret "tls13 c ap traffic": expanded" (line 2727, 32 octets).
	ClientAuthClientApplicationTrafficSecret = "73c2e890fa8d067258d6d50fa92fe456b098cf00d9727eed91e8892ef4e6f860"
	// ClientAuthServerApplicationTrafficSecret is "{server} derive secret "tls13 s ap traffic": expanded" (line 2751, 32 octets).
	ClientAuthServerApplicationTrafficSecret = "c49a91faf57f8c545d5048a015bf849ff63942e4a7edcd319f8b438a97c52e21"
	// ClientAuthExporterMasterSecret is "{server} derive secret "tls13 exp master": expanded" (line 2766, 32 octets).
	ClientAuthExporterMasterSecret = "052e39795e5f2be6e4e0974cfdd86c6a7afe3e57e5589810a3cccf642958beb2"
	// ClientAuthServerApplicationKey is "{server} derive write traffic keys for application data: key expanded" (line 2776, 16 octets).
	ClientAuthServerApplicationKey = "88b3123ddecadf8c1ba298e2c18176b0"
	// ClientAuthServerApplicationIV is "{server} derive write traffic keys for application data: iv expanded" (line 2781, 12 octets).
	ClientAuthServerApplicationIV = "4e0978513f9de8327c08e4f3"
	// ClientAuthClientHandshakeKey is "{server} derive read traffic keys for handshake data: key expanded" (line 2790, 16 octets).
	ClientAuthClientHandshakeKey = "916948f728d9823fa41a004d083f217f"
	// ClientAuthClientHandshakeIV is "{server} derive read traffic keys for handshake data: iv expanded" (line 2795, 12 octets).
	ClientAuthClientHandshakeIV = "64153d79bac9ea10ca5a0a88"
	// ClientAuthClientCertificate is "{client} construct a Certificate handshake message: Certificate" (line 2852, 451 octets).
	ClientAuthClientCertificate = "" +
		"0b0001bf000001bb0001b6308201b23082011ba003020102020101300d06092a" +
		"864886f70d01010b05003011310f300d06035504031306636c69656e74301e17" +
		"0d3136303733303031323335395a170d3236303733303031323335395a301131" +
		"0f300d06035504031306636c69656e7430819f300d06092a864886f70d010101" +
		"050003818d0030818902818100c38175e004a68d093f823b9c379d201fbc0bb7" +
		"a1c791905e3fbf76847e44e751ebbcd360bd945c81e5222bcc8846d3a8a0f93e" +
		"9bf5bebabd92edf1de1ff19021703e7ab6c0901513f97e39b111f09c9348971c" +
		"7b211984a754cd45fe095af0ea4236829bccf7a7fe9b2888e78ab477690a5b9e" +
		"1ccbe91c6a4a0f97a7e02842010203010001a31a301830090603551d13040230" +
		"00300b0603551d0f040403020780300d06092a864886f70d01010b0500038181" +
		"001a7a5a018532b022af0767d486160cff2d167a1915d23835b54594916dc680" +
		"be5d2e626076c5d52722ebcc775d7d99f980be2fc94d34acf6cc00ba90cbcfb0" +
		"608aa1e7e3971ef0c07a41d47ad8345d1f81fe418a1cf41054429fd217bd777d" +
		"c1cf08f05df90799c659361e0f1a8ee4ac0f7897420bdbc823da80a2f2ba2308" +
		"1c0000"
	// ClientAuthClientCertificateVerify is "{client} construct a CertificateVerify handshake message: CertificateVerify" (line 2885, 136 octets).
	ClientAuthClientCertificateVerify = "" +
		"0f00008408040080186b2223b503a759c35dba0e9721b4b579138d5f0f5e6ec7" +
		"feaaf27f3ad7f386c2c7bd7cb2be52fbf5ed8393f406ee79369692ec7ac69565" +
		"1d858219e672a8eb7b2a677b640b46ab630edc5f3f2f8272b9c0d906f81f84dd" +
		"c5b8c7bcf955c78a3cf99e5016f73e04eb7dfcb28833f13e8f75ec2ff3581e2f" +
		"098ad4157fd6d6ad"
	// ClientAuthClientFinishedKey is "{client} calculate finished "tls13 finished": expanded" (line 2903, 32 octets).
	ClientAuthClientFinishedKey = "4fddd76bbcb8e30c7261b1db401bb136ed39bce6a4815a2124476e27e6cbcbf6"
	// ClientAuthClientVerifyData is "{client} calculate finished "tls13 finished": finished" (line 2906, 32 octets).
	ClientAuthClientVerifyData = "9afe2ba2f63a09d229d8a429e5b37ffd9fcc73bdb5911b82425972aa2892440f"
	// ClientAuthClientFinished is "{client} construct a Finished handshake message: Finished" (line 2921, 36 octets).
	ClientAuthClientFinished = "" +
		"140000209afe2ba2f63a09d229d8a429e5b37ffd9fcc73bdb5911b82425972aa" +
		"2892440f"
	// ClientAuthClientApplicationKey is "{client} derive write traffic keys for application data: key expanded" (line 3006, 16 octets).
	ClientAuthClientApplicationKey = "cdc09c806aa8f86dfcd51efc44a0c039"
	// ClientAuthClientApplicationIV is "{client} derive write traffic keys for application data: iv expanded" (line 3011, 12 octets).
	ClientAuthClientApplicationIV = "6ef852e78b46d913668e53e7"
	// ClientAuthClientFinishedHash is "{client} derive secret "tls13 res master": hash" (line 3018, 32 octets).
	ClientAuthClientFinishedHash = "391d004bd84c831b1582444414b4dc8064010ecc76f37f88bfeb1e88fe135c25"
	// ClientAuthResumptionMasterSecret is "{client} derive secret "tls13 res master": expanded" (line 3035, 32 octets).
	ClientAuthResumptionMasterSecret = "1006dccbf40eb4eb978bff0392a9e452a4fbad58aa14784d5a241c6b49daccfb"
)
