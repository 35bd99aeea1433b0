package rfc8448

// §7 "Compatibility Mode": §3's handshake with a legacy_session_id and
// change_cipher_spec records, as middlebox compatibility mode sends them.
const (
	// CompatClientX25519PrivateKey is "{client} create an ephemeral x25519 key pair: private key" (line 3067, 32 octets).
	CompatClientX25519PrivateKey = "dea00b45695dc781f19d34a62c1afd31ab4369af1e855a3bbb258d8442cde6d7"
	// CompatClientX25519PublicKey is "{client} create an ephemeral x25519 key pair: public key" (line 3070, 32 octets).
	CompatClientX25519PublicKey = "8e7292cf3056dbb0d25fcbe55c107dc9bbf83dd9708f39203ba341249a7d9b63"
	// CompatClientHello is "{client} construct a ClientHello handshake message: ClientHello" (line 3075, 224 octets).
	CompatClientHello = "" +
		"010000dc03034e640a3f2c2738f09c9418bd78edccd7559d0531199276d4d92a" +
		"0e9ee9d77d0920a80c165581a8e0d06c0018d54d3a06dd32cfd4051eb026fad3" +
		"fd0ba99269e6ef00061301130313020100008d0000000b000900000673657276" +
		"6572ff01000100000a00140012001d0017001800190100010101020103010400" +
		"3300260024001d00208e7292cf3056dbb0d25fcbe55c107dc9bbf83dd9708f39" +
		"203ba341249a7d9b63002b0003020304000d0020001e04030503060302030804" +
		"0805080604010501060102010402050206020202002d00020101001c00024001"
	// CompatEarlySecret is "{server} extract secret "early": secret" (line 3130, 32 octets).
	CompatEarlySecret = "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
	// CompatServerX25519PrivateKey is "{server} create an ephemeral x25519 key pair: private key" (line 3145, 32 octets).
	CompatServerX25519PrivateKey = "017c38a3647921ca2d9ed6bd7ae7132b94211b1331bb208c8ccdd51556409995"
	// CompatServerX25519PublicKey is "{server} create an ephemeral x25519 key pair: public key" (line 3148, 32 octets).
	CompatServerX25519PublicKey = "3e30f0f4ba551afd62768341175f5265e4daf0c8841617aa4fafdd2142320c22"
	// CompatServerHello is "{server} construct a ServerHello handshake message: ServerHello" (line 3153, 122 octets).
	CompatServerHello = "" +
		"020000760303e5dd5948c435f7a38f0f0130708dc322d9df09abd4838117c183" +
		"a7bb6d994f2c20a80c165581a8e0d06c0018d54d3a06dd32cfd4051eb026fad3" +
		"fd0ba99269e6ef130100002e00330024001d00203e30f0f4ba551afd62768341" +
		"175f5265e4daf0c8841617aa4fafdd2142320c22002b00020304"
	// CompatDerivedForHandshake is "{server} derive secret for handshake "tls13 derived": expanded" (line 3206, 32 octets).
	CompatDerivedForHandshake = "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba"
	// CompatSharedSecret is "{server} extract secret "handshake": IKM" (line 3214, 32 octets).
	CompatSharedSecret = "eef790559077db5bb63b6684e4169f051e8fb34ce59bafce2f9c8ee68cc4eb79"
	// CompatHandshakeSecret is "{server} extract secret "handshake": secret" (line 3217, 32 octets).
	CompatHandshakeSecret = "f91761354a67e9b07c6dcc3a55707efa69c4519d8040e5f215121e0df69afa4a"
	// CompatHelloHash is "{server} derive secret "tls13 c hs traffic": hash" (line 3225, 32 octets).
	CompatHelloHash = "745c55bac399310b7b5a7c81a2c130b4d56dff6f68c3ab477857601e01f1f8d1"
	// CompatClientHandshakeTrafficSecret is "{server} derive secret "tls13 c hs traffic": expanded" (line 3232, 32 octets).
	CompatClientHandshakeTrafficSecret = "2c3cb24a1081edb59518ee6861e89a6b72b3801afe7713e4cbbc21c0795bf831"
	// CompatServerHandshakeTrafficSecret is "{server} derive secret "tls13 s hs traffic": expanded" (line 3255, 32 octets).
	CompatServerHandshakeTrafficSecret = "cace3d555cc1c577cf970cff28cf978d6a9800085442e18d695b50f3151d18c8"
	// CompatDerivedForMaster is "{server} derive secret for master "tls13 derived": expanded" (line 3270, 32 octets).
	CompatDerivedForMaster = "5da12dc47835ba73fdd994b14ab7e63cc63f0d79162f6756e9a46756c8b2b642"
	// CompatMasterSecret is "{server} extract secret "master": secret" (line 3281, 32 octets).
	CompatMasterSecret = "628112dae2f702488063e42de6c850a5c0820b90903e00abc31875da03d4bc5b"
	// CompatServerHandshakeKey is "{server} derive write traffic keys for handshake data: key expanded" (line 3291, 16 octets).
	CompatServerHandshakeKey = "041091fdab29f2c8abfb156dc5fc8d54"
	// CompatServerHandshakeIV is "{server} derive write traffic keys for handshake data: iv expanded" (line 3296, 12 octets).
	CompatServerHandshakeIV = "7464d791685de05998fcbadb"
	// CompatEncryptedExtensions is "{server} construct an EncryptedExtensions handshake message: EncryptedExtensions" (line 3300, 40 octets).
	CompatEncryptedExtensions = "" +
		"080000240022000a00140012001d00170018001901000101010201030104001c" +
		"0002400100000000"
	// CompatServerCertificate is "{server} construct a Certificate handshake message: Certificate" (line 3313, 445 octets).
	CompatServerCertificate = "" +
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
	// CompatServerCertificateVerify is "{server} construct a CertificateVerify handshake message: CertificateVerify" (line 3338, 136 octets).
	CompatServerCertificateVerify = "" +
		"0f00008408040080a2301a68dd1ceee6938fe9d40c46b9201b34d59952a37e06" +
		"523a39cf8ba6c9c8b68ae94492af780516ed7b73c82812e99dd3fabea45e09d9" +
		"c6848721c2808c61501b0c75e7fcaba5f78bef68a2c2b69b19558b3e40387eea" +
		"93d25c7781c1cc00e9f519f7e2e4adb73e76d66089000a2dc866c2ed30bba50a" +
		"0d457f19dc6eb9f3"
	// CompatServerFinishedKey is "{server} calculate finished "tls13 finished": expanded" (line 3356, 32 octets).
	CompatServerFinishedKey = "2c9f72f27b81e7df668caccd49371f1286d411e16c8ccc1c0d9aed72cbbdc080"
	// CompatServerVerifyData is "{server} calculate finished "tls13 finished": finished" (line 3367, 32 octets).
	CompatServerVerifyData = "c8c3a8f1bff5274061f4bc3a7caffbdc9616094ca625caa65f8e76ed46db74d3"
	// CompatServerFinished is "{server} construct a Finished handshake message: Finished" (line 3372, 36 octets).
	CompatServerFinished = "" +
		"14000020c8c3a8f1bff5274061f4bc3a7caffbdc9616094ca625caa65f8e76ed" +
		"46db74d3"
	// CompatServerFinishedHash is "{server} derive secret "tls13 c ap traffic": hash" (line 3458, 32 octets).
	CompatServerFinishedHash = "0707dcac7b2fa428cc7f691694a2590c806aaa5c0cf5087ed5385012e7f96cd4"
	// CompatClientApplicationTrafficSecret is "{server} derive secret "tls13 c ap traffic": expanded" (line 3465, 32 octets).
	CompatClientApplicationTrafficSecret = "743e4c6b56cf3909d1b06d01956ccd2c4b37758449aec41d98dae44924eaa299"
	// CompatServerApplicationTrafficSecret is "{server} derive secret "tls13 s ap traffic": expanded" (line 3491, 32 octets).
	CompatServerApplicationTrafficSecret = "b6b8144aa335ed3059c0c9c8f0ecabf7afc94af6643bdecdfd9210188fab7451"
	// CompatExporterMasterSecret is "{server} derive secret "tls13 exp master": expanded" (line 3506, 32 octets).
	CompatExporterMasterSecret = "fb69121cea334db459e12272d179baca2369b643d11a6ac72b8b27a5c964feb1"
	// CompatServerApplicationKey is "{server} derive write traffic keys for application data: key expanded" (line 3516, 16 octets).
	CompatServerApplicationKey = "edc4cbd0041c28cc7167441d7ca53e6a"
	// CompatServerApplicationIV is "{server} derive write traffic keys for application data: iv expanded" (line 3521, 12 octets).
	CompatServerApplicationIV = "bf6c7d8e0a9545b427dcf139"
	// CompatClientHandshakeKey is "{server} derive read traffic keys for handshake data: key expanded" (line 3537, 16 octets).
	CompatClientHandshakeKey = "62d13c13ffd7402fc1c09e3d163665cb"
	// CompatClientHandshakeIV is "{server} derive read traffic keys for handshake data: iv expanded" (line 3542, 12 octets).
	CompatClientHandshakeIV = "7166f20028bf146dcfbd5a40"
	// CompatClientFinishedKey is "{client} calculate finished "tls13 finished": expanded" (line 3613, 32 octets).
	CompatClientFinishedKey = "77341abc8c0ffab5180736713e41d2f665c410a404c8c21edcd948a4440fd80c"
	// CompatClientVerifyData is "{client} calculate finished "tls13 finished": finished" (line 3616, 32 octets).
	CompatClientVerifyData = "692cab155cc6c100ead60733d0617f6fb09b71aa1e8c9accbbbc9e8ed336c1dd"
	// CompatClientFinished is "{client} construct a Finished handshake message: Finished" (line 3621, 36 octets).
	CompatClientFinished = "" +
		"14000020692cab155cc6c100ead60733d0617f6fb09b71aa1e8c9accbbbc9e8e" +
		"d336c1dd"
	// CompatClientApplicationKey is "{client} derive write traffic keys for application data: key expanded" (line 3649, 16 octets).
	CompatClientApplicationKey = "33d7f9709756c966488ad4438437e673"
	// CompatClientApplicationIV is "{client} derive write traffic keys for application data: iv expanded" (line 3654, 12 octets).
	CompatClientApplicationIV = "c5f30d34b0e91b7d6c8eea65"
	// CompatClientFinishedHash is "{client} derive secret "tls13 res master": hash" (line 3661, 32 octets).
	CompatClientFinishedHash = "a021d3a05bd418a772813875ef79b0af68c5123215427ab7333f8c27722a9fd5"
	// CompatResumptionMasterSecret is "{client} derive secret "tls13 res master": expanded" (line 3668, 32 octets).
	CompatResumptionMasterSecret = "0b5d4407cea0a42a3a81dd477647b7fe9180db297e5114f1ad8796b4dc475004"
)
