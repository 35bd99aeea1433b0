package rfc8448

// §3 "Simple 1-RTT Handshake": a full handshake with x25519,
// TLS_AES_128_GCM_SHA256 and the RSA certificate of §2; the server issues a
// ticket.
const (
	// SimpleClientX25519PrivateKey is "{client} create an ephemeral x25519 key pair: private key" (line 162, 32 octets).
	SimpleClientX25519PrivateKey = "49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005"
	// SimpleClientX25519PublicKey is "{client} create an ephemeral x25519 key pair: public key" (line 165, 32 octets).
	SimpleClientX25519PublicKey = "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c"
	// SimpleClientHello is "{client} construct a ClientHello handshake message: ClientHello" (line 177, 196 octets).
	SimpleClientHello = "" +
		"010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef" +
		"6283024dece7000006130113031302010000910000000b000900000673657276" +
		"6572ff01000100000a00140012001d0017001800190100010101020103010400" +
		"230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e" +
		"51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603" +
		"020308040805080604010501060102010402050206020202002d00020101001c" +
		"00024001"
	// SimpleClientHelloRecord is "{client} send handshake record: complete record" (line 201, 201 octets).
	SimpleClientHelloRecord = "" +
		"16030100c4010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d99" +
		"12ec18a2ef6283024dece7000006130113031302010000910000000b00090000" +
		"06736572766572ff01000100000a00140012001d001700180019010001010102" +
		"0103010400230000003300260024001d002099381de560e4bd43d23d8e435a7d" +
		"bafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e04" +
		"0305030603020308040805080604010501060102010402050206020202002d00" +
		"020101001c00024001"
	// SimpleEarlyIKM is "{server} extract secret "early": IKM" (line 216, 32 octets).
	SimpleEarlyIKM = "0000000000000000000000000000000000000000000000000000000000000000"
	// SimpleEarlySecret is "{server} extract secret "early": secret" (line 219, 32 octets).
	SimpleEarlySecret = "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
	// SimpleServerX25519PrivateKey is "{server} create an ephemeral x25519 key pair: private key" (line 233, 32 octets).
	SimpleServerX25519PrivateKey = "b1580eeadf6dd589b8ef4f2d5652578cc810e9980191ec8d058308cea216a21e"
	// SimpleServerX25519PublicKey is "{server} create an ephemeral x25519 key pair: public key" (line 236, 32 octets).
	SimpleServerX25519PublicKey = "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f"
	// SimpleServerHello is "{server} construct a ServerHello handshake message: ServerHello" (line 241, 90 octets).
	SimpleServerHello = "" +
		"020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155" +
		"772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdb" +
		"f7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304"
	// SimpleEmptyHash is "{server} derive secret for handshake "tls13 derived": hash" (line 252, 32 octets).
	SimpleEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	// SimpleDerivedForHandshakeInfo is "{server} derive secret for handshake "tls13 derived": info" (line 255, 49 octets).
	SimpleDerivedForHandshakeInfo = "" +
		"00200d746c733133206465726976656420e3b0c44298fc1c149afbf4c8996fb9" +
		"2427ae41e4649b934ca495991b7852b855"
	// SimpleDerivedForHandshake is "{server} derive secret for handshake "tls13 derived": expanded" (line 259, 32 octets).
	SimpleDerivedForHandshake = "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba"
	// SimpleSharedSecret is "{server} extract secret "handshake": IKM" (line 267, 32 octets).
	SimpleSharedSecret = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d"
	// SimpleHandshakeSecret is "{server} extract secret "handshake": secret" (line 270, 32 octets).
	SimpleHandshakeSecret = "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac"
	// SimpleHelloHash is "{server} derive secret "tls13 c hs traffic": hash" (line 287, 32 octets).
	SimpleHelloHash = "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8"
	// SimpleClientHandshakeTrafficInfo is "{server} derive secret "tls13 c hs traffic": info" (line 290, 54 octets).
	SimpleClientHandshakeTrafficInfo = "" +
		"002012746c7331332063206873207472616666696320860c06edc07858ee8e78" +
		"f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8"
	// SimpleClientHandshakeTrafficSecret is "{server} derive secret "tls13 c hs traffic": expanded" (line 294, 32 octets).
	SimpleClientHandshakeTrafficSecret = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21"
	// SimpleServerHandshakeTrafficInfo is "{server} derive secret "tls13 s hs traffic": info" (line 305, 54 octets).
	SimpleServerHandshakeTrafficInfo = "" +
		"002012746c7331332073206873207472616666696320860c06edc07858ee8e78" +
		"f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8"
	// SimpleServerHandshakeTrafficSecret is "{server} derive secret "tls13 s hs traffic": expanded" (line 309, 32 octets).
	SimpleServerHandshakeTrafficSecret = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"
	// SimpleDerivedForMasterInfo is "{server} derive secret for master "tls13 derived": info" (line 320, 49 octets).
	SimpleDerivedForMasterInfo = "" +
		"00200d746c733133206465726976656420e3b0c44298fc1c149afbf4c8996fb9" +
		"2427ae41e4649b934ca495991b7852b855"
	// SimpleDerivedForMaster is "{server} derive secret for master "tls13 derived": expanded" (line 324, 32 octets).
	SimpleDerivedForMaster = "43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4"
	// SimpleMasterIKM is "{server} extract secret "master": IKM" (line 332, 32 octets).
	SimpleMasterIKM = "0000000000000000000000000000000000000000000000000000000000000000"
	// SimpleMasterSecret is "{server} extract secret "master": secret" (line 343, 32 octets).
	SimpleMasterSecret = "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919"
	// SimpleServerHelloRecord is "{server} send handshake record: complete record" (line 354, 95 octets).
	SimpleServerHelloRecord = "" +
		"160303005a020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb" +
		"1434dac155772ed3e2692800130100002e00330024001d0020c9828876112095" +
		"fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304"
	// SimpleKeyInfo is "{server} derive write traffic keys for handshake data: key info" (line 365, 13 octets).
	SimpleKeyInfo = "001009746c733133206b657900"
	// SimpleServerHandshakeKey is "{server} derive write traffic keys for handshake data: key expanded" (line 367, 16 octets).
	SimpleServerHandshakeKey = "3fce516009c21727d0f2e4e86ee403bc"
	// SimpleIVInfo is "{server} derive write traffic keys for handshake data: iv info" (line 370, 12 octets).
	SimpleIVInfo = "000c08746c73313320697600"
	// SimpleServerHandshakeIV is "{server} derive write traffic keys for handshake data: iv expanded" (line 372, 12 octets).
	SimpleServerHandshakeIV = "5d313eb2671276ee13000b30"
	// SimpleEncryptedExtensions is "{server} construct an EncryptedExtensions handshake message: EncryptedExtensions" (line 376, 40 octets).
	SimpleEncryptedExtensions = "" +
		"080000240022000a00140012001d00170018001901000101010201030104001c" +
		"0002400100000000"
	// SimpleServerCertificate is "{server} construct a Certificate handshake message: Certificate" (line 382, 445 octets).
	SimpleServerCertificate = "" +
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
	// SimpleServerCertificateVerify is "{server} construct a CertificateVerify handshake message: CertificateVerify" (line 415, 136 octets).
	SimpleServerCertificateVerify = "" +
		"0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145a" +
		"b3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef780c5ea248ee" +
		"aaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c" +
		"9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea2" +
		"0d53dfacd42f74f3"
	// SimpleFinishedInfo is "{server} calculate finished "tls13 finished": info" (line 430, 18 octets).
	SimpleFinishedInfo = "00200e746c7331332066696e697368656400"
	// SimpleServerFinishedKey is "{server} calculate finished "tls13 finished": expanded" (line 433, 32 octets).
	SimpleServerFinishedKey = "008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8"
	// SimpleServerVerifyData is "{server} calculate finished "tls13 finished": finished" (line 436, 32 octets).
	SimpleServerVerifyData = "9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718"
	// SimpleServerFinished is "{server} construct a Finished handshake message: Finished" (line 441, 36 octets).
	SimpleServerFinished = "" +
		"140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454" +
		"b78f0718"
	// SimpleServerFlight is "{server} send handshake record: payload" (line 457, 657 octets).
	SimpleServerFlight = "" +
		"080000240022000a00140012001d00170018001901000101010201030104001c" +
		"00024001000000000b0001b9000001b50001b0308201ac30820115a003020102" +
		"020102300d06092a864886f70d01010b0500300e310c300a0603550403130372" +
		"7361301e170d3136303733303031323335395a170d3236303733303031323335" +
		"395a300e310c300a0603550403130372736130819f300d06092a864886f70d01" +
		"0101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c" +
		"0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19e" +
		"aa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e2" +
		"2a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a" +
		"8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304" +
		"023000300b0603551d0f0404030205a0300d06092a864886f70d01010b050003" +
		"81810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594" +
		"365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd" +
		"335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb" +
		"2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b4" +
		"2b4de100000f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f82" +
		"4cd484145ab3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef78" +
		"0c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671" +
		"459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda" +
		"65cdf5aea20d53dfacd42f74f3140000209b9b141d906337fbd2cbdce71df4de" +
		"da4ab42c309572cb7fffee5454b78f0718"
	// SimpleServerFlightRecord is "{server} send handshake record: complete record" (line 490, 679 octets).
	SimpleServerFlightRecord = "" +
		"17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35e" +
		"df7869fcf40aa40aa2b8ea73f848a7ca07612ef9f945cb960b4068905123ea78" +
		"b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13b" +
		"d9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9" +
		"d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2e" +
		"d65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd61092" +
		"8d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09ead68694" +
		"5ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b368" +
		"4596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f" +
		"4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26" +
		"f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b65962224531" +
		"7b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e" +
		"1b7a6c7178af36879018e3f252107f243d243dc7339d5684c8b0378bf30244da" +
		"8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cca71e4599426f7d4" +
		"61e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe" +
		"5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb" +
		"992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c859" +
		"77b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038" +
		"ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b84" +
		"5e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5" +
		"d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e" +
		"750edc53370d2b"
	// SimpleServerFinishedHash is "{server} derive secret "tls13 c ap traffic": hash" (line 537, 32 octets).
	SimpleServerFinishedHash = "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13"
	// SimpleClientApplicationTrafficInfo is "{server} derive secret "tls13 c ap traffic": info" (line 540, 54 octets).
	SimpleClientApplicationTrafficInfo = "" +
		"002012746c73313320632061702074726166666963209608102a0f1ccc6db625" +
		"0b7b7e417b1a000eaada3daae4777a7686c9ff83df13"
	// SimpleClientApplicationTrafficSecret is "{server} derive secret "tls13 c ap traffic": expanded" (line 544, 32 octets).
	SimpleClientApplicationTrafficSecret = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5"
	// SimpleServerApplicationTrafficInfo is "{server} derive secret "tls13 s ap traffic": info" (line 555, 54 octets).
	SimpleServerApplicationTrafficInfo = "" +
		"002012746c73313320732061702074726166666963209608102a0f1ccc6db625" +
		"0b7b7e417b1a000eaada3daae4777a7686c9ff83df13"
	// SimpleServerApplicationTrafficSecret is "{server} derive secret "tls13 s ap traffic": expanded" (line 567, 32 octets).
	SimpleServerApplicationTrafficSecret = "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"
	// SimpleExporterMasterInfo is "{server} derive secret "tls13 exp master": info" (line 578, 52 octets).
	SimpleExporterMasterInfo = "" +
		"002010746c73313320657870206d6173746572209608102a0f1ccc6db6250b7b" +
		"7e417b1a000eaada3daae4777a7686c9ff83df13"
	// SimpleExporterMasterSecret is "{server} derive secret "tls13 exp master": expanded" (line 582, 32 octets).
	SimpleExporterMasterSecret = "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50"
	// SimpleServerApplicationKey is "{server} derive write traffic keys for application data: key expanded" (line 592, 16 octets).
	SimpleServerApplicationKey = "9f02283b6c9c07efc26bb9f2ac92e356"
	// SimpleServerApplicationIV is "{server} derive write traffic keys for application data: iv expanded" (line 597, 12 octets).
	SimpleServerApplicationIV = "cf782b88dd83549aadf1e984"
	// SimpleClientHandshakeKey is "{server} derive read traffic keys for handshake data: key expanded" (line 606, 16 octets).
	SimpleClientHandshakeKey = "dbfaa693d1762c5b666af5d950258d01"
	// SimpleClientHandshakeIV is "{server} derive read traffic keys for handshake data: iv expanded" (line 611, 12 octets).
	SimpleClientHandshakeIV = "5bd3c71b836e0b76bb73265f"
	// SimpleClientFinishedKey is "{client} calculate finished "tls13 finished": expanded" (line 684, 32 octets).
	SimpleClientFinishedKey = "b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4"
	// SimpleClientVerifyData is "{client} calculate finished "tls13 finished": finished" (line 687, 32 octets).
	SimpleClientVerifyData = "a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61"
	// SimpleClientFinished is "{client} construct a Finished handshake message: Finished" (line 692, 36 octets).
	SimpleClientFinished = "" +
		"14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2" +
		"edd5ce61"
	// SimpleClientFinishedRecord is "{client} send handshake record: complete record" (line 701, 58 octets).
	SimpleClientFinishedRecord = "" +
		"170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc" +
		"44d87f38f80338ac98fc46deb384bd1caeacab6867d726c40546"
	// SimpleClientApplicationKey is "{client} derive write traffic keys for application data: key expanded" (line 713, 16 octets).
	SimpleClientApplicationKey = "17422dda596ed5d9acd890e3c63f5051"
	// SimpleClientApplicationIV is "{client} derive write traffic keys for application data: iv expanded" (line 718, 12 octets).
	SimpleClientApplicationIV = "5b78923dee08579033e523d9"
	// SimpleClientFinishedHash is "{client} derive secret "tls13 res master": hash" (line 725, 32 octets).
	SimpleClientFinishedHash = "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d"
	// SimpleResumptionMasterInfo is "{client} derive secret "tls13 res master": info" (line 735, 52 octets).
	SimpleResumptionMasterInfo = "" +
		"002010746c73313320726573206d617374657220209145a96ee8e2a122ff8100" +
		"47cc952684658d6049e86429426db87c54ad143d"
	// SimpleResumptionMasterSecret is "{client} derive secret "tls13 res master": expanded" (line 739, 32 octets).
	SimpleResumptionMasterSecret = "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c"
	// SimpleTicketNonce is "{server} generate resumption secret "tls13 resumption": hash" (line 754, 2 octets).
	SimpleTicketNonce = "0000"
	// SimpleResumptionInfo is "{server} generate resumption secret "tls13 resumption": info" (line 756, 22 octets).
	SimpleResumptionInfo = "002010746c73313320726573756d7074696f6e020000"
	// SimpleResumptionPSK is "{server} generate resumption secret "tls13 resumption": expanded" (line 759, 32 octets).
	SimpleResumptionPSK = "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3"
	// SimpleNewSessionTicket is "{server} construct a NewSessionTicket handshake message: NewSessionTicket" (line 764, 205 octets).
	SimpleNewSessionTicket = "" +
		"040000c90000001efad6aac502000000b22c035d829359ee5ff7af4ec9000000" +
		"00262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785a" +
		"bc55cd226097a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827" +
		"db279cce145077d454a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529" +
		"513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea61764" +
		"6fac5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934a" +
		"e4d3570008002a000400000400"
	// SimpleNewSessionTicketRecord is "{server} send handshake record: complete record" (line 798, 227 octets).
	SimpleNewSessionTicketRecord = "" +
		"17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d4" +
		"1d6af8f6b580dcf3d11d63c758db289a015940252f55713e061dc13e078891a3" +
		"8efbcf5753ad8ef170ad3c7353d16d9da773b9ca7f2b9fa1b6c0d4a3d03f75e0" +
		"9c30ba1e62972ac46f75f7b981be63439b2999ce13064615139891d5e4c5b406" +
		"f16e3fc181a77ca475840025db2f0a77f81b5ab05b94c01346755f69232c8651" +
		"9d86cbeeac87aac347d143f9605d64f650db4d023e70e952ca49fe5137121c74" +
		"bc2697687e248746d6df353005f3bce18696129c8153556b3b6c6779b37bf159" +
		"85684f"
	// SimpleClientApplicationData is "{client} send application_data record: payload" (line 816, 50 octets).
	SimpleClientApplicationData = "" +
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" +
		"202122232425262728292a2b2c2d2e2f3031"
	// SimpleClientApplicationDataRecord is "{client} send application_data record: complete record" (line 820, 72 octets).
	SimpleClientApplicationDataRecord = "" +
		"1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f" +
		"2b9819a8a5b46b395bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae6" +
		"3aeebb21694915e4"
	// SimpleServerApplicationData is "{server} send application_data record: payload" (line 827, 50 octets).
	SimpleServerApplicationData = "" +
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" +
		"202122232425262728292a2b2c2d2e2f3031"
	// SimpleServerApplicationDataRecord is "{server} send application_data record: complete record" (line 831, 72 octets).
	SimpleServerApplicationDataRecord = "" +
		"17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36" +
		"e30efaf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf33254" +
		"0dd032e167c2955d"
	// SimpleClientAlert is "{client} send alert record: payload" (line 838, 2 octets).
	SimpleClientAlert = "0100"
	// SimpleClientAlertRecord is "{client} send alert record: complete record" (line 847, 24 octets).
	SimpleClientAlertRecord = "1703030013c9872760655666b74d7ff1153efd6db6d0b0e3"
	// SimpleServerAlert is "{server} send alert record: payload" (line 852, 2 octets).
	SimpleServerAlert = "0100"
	// SimpleServerAlertRecord is "{server} send alert record: complete record" (line 854, 24 octets).
	SimpleServerAlertRecord = "1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9"
)
