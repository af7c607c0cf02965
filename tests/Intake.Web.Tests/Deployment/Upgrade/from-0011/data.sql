--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Data for Name: invitations; Type: TABLE DATA; Schema: accounts; Owner: -
--



--
-- Data for Name: users; Type: TABLE DATA; Schema: accounts; Owner: -
--

INSERT INTO accounts.users (id, display_name, status, invited_by, approved_by, last_totp_step, enrolled_on, approved_on, user_name, normalized_user_name, email, normalized_email, email_confirmed, password_hash, security_stamp, concurrency_stamp, phone_number, phone_number_confirmed, two_factor_enabled, lockout_end, lockout_enabled, access_failed_count) VALUES ('01a1ff49-4030-74d7-9f55-6a8ab515ffdb', 'Test Admin admin@up', 'Active', NULL, NULL, NULL, '2026-11-21', '2026-11-21', 'admin@upgrade.test', 'ADMIN@UPGRADE.TEST', 'admin@upgrade.test', 'ADMIN@UPGRADE.TEST', false, 'AQAAAAIAAYagAAAAENgQAk57MQeHnWD5iMzcyOO0iZerHWYLN1WgUJrhG7B7OJs/By2w9YLNlwRregR+DA==', 'A3AQYMSM3HU73HWT7J3EZMP7VDCYCOHR', 'd75ea043-c20b-4b6a-b699-310c874d8678', NULL, false, true, NULL, true, 0);
INSERT INTO accounts.users (id, display_name, status, invited_by, approved_by, last_totp_step, enrolled_on, approved_on, user_name, normalized_user_name, email, normalized_email, email_confirmed, password_hash, security_stamp, concurrency_stamp, phone_number, phone_number_confirmed, two_factor_enabled, lockout_end, lockout_enabled, access_failed_count) VALUES ('01a1ff49-478a-746e-887c-3781239e0d1a', 'Test Advocate advocate', 'Active', NULL, NULL, NULL, '2026-11-21', '2026-11-21', 'advocate@upgrade.test', 'ADVOCATE@UPGRADE.TEST', 'advocate@upgrade.test', 'ADVOCATE@UPGRADE.TEST', false, 'AQAAAAIAAYagAAAAEBiI3EjEzimEf7+T8gIbDwwX9+B7YTZfCPGgiz/1wvrU2gSYKKvdwEAPNYgCrIlUUQ==', 'TI3WYJDGJEHBOVZWK7V6XFOTSTVH25BX', 'e39935d4-7224-439f-b311-85268b59931d', NULL, false, true, NULL, true, 0);


--
-- Data for Name: passkeys; Type: TABLE DATA; Schema: accounts; Owner: -
--



--
-- Data for Name: role_claims; Type: TABLE DATA; Schema: accounts; Owner: -
--



--
-- Data for Name: user_claims; Type: TABLE DATA; Schema: accounts; Owner: -
--



--
-- Data for Name: user_logins; Type: TABLE DATA; Schema: accounts; Owner: -
--



--
-- Data for Name: user_roles; Type: TABLE DATA; Schema: accounts; Owner: -
--

INSERT INTO accounts.user_roles (user_id, role_id) VALUES ('01a1ff49-4030-74d7-9f55-6a8ab515ffdb', '6a0f6a63-8d1b-4c2e-9a51-0d5f4a1e0002');
INSERT INTO accounts.user_roles (user_id, role_id) VALUES ('01a1ff49-478a-746e-887c-3781239e0d1a', '6a0f6a63-8d1b-4c2e-9a51-0d5f4a1e0001');


--
-- Data for Name: user_tokens; Type: TABLE DATA; Schema: accounts; Owner: -
--

INSERT INTO accounts.user_tokens (user_id, login_provider, name, value) VALUES ('01a1ff49-4030-74d7-9f55-6a8ab515ffdb', '[AspNetUserStore]', 'AuthenticatorKey', 'XRYONPMKMHQQNUZZUTE5OV7RTJCOGPXL');
INSERT INTO accounts.user_tokens (user_id, login_provider, name, value) VALUES ('01a1ff49-478a-746e-887c-3781239e0d1a', '[AspNetUserStore]', 'AuthenticatorKey', 'VKXXTWC67F777DENVA5RVXN55GDB5HKV');


--
-- Data for Name: ledger_entries; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (0, 8, '2026-11-21', NULL, NULL, NULL, '\x7b22616374696f6e223a226368616e6e656c2e616464222c226368616e6e656c223a2267656e6572616c222c226163746f72223a2230316131666634392d343033302d373464372d396635352d366138616235313566666462227d', '\xa674be0db005a79aee19532b075dd62830f6bd501d25f02c32a3515da18390fd');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (1, 8, '2026-11-21', NULL, NULL, NULL, '\x7b22616374696f6e223a226368616e6e656c2e7175657374696f6e73222c226368616e6e656c223a2267656e6572616c222c22636f756e74223a312c226163746f72223a2230316131666634392d343033302d373464372d396635352d366138616235313566666462227d', '\xc15d1c11fbe533f3ce7da06412d8b369b6889fe968dd9f42005c5cf817ae05ba');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (2, 7, '2026-11-21', NULL, NULL, NULL, '\x7b22616374696f6e223a226b65792e656e726f6c222c226164766f63617465223a2230316131666634392d343738612d373436652d383837632d333738313233396530643161222c226b6964223a226a42696631786242664f50444c434338637a6b646f41222c2266696e6765727072696e74223a2238433138203946443720313643312037434533204333324320323042432037333339203144413020433031432033443835203430323520314631362041303131204545464320434444372042423439227d', '\xb88c6ad64572973e17b72753191ab277cd5597fc8649c59aa358ee3643793f22');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (3, 7, '2026-11-21', NULL, NULL, NULL, '\x7b22616374696f6e223a226b65792e617070726f7665222c226164766f63617465223a2230316131666634392d343738612d373436652d383837632d333738313233396530643161222c226b6964223a226a42696631786242664f50444c434338637a6b646f41222c2272657469726573223a6e756c6c2c226368616e6e656c73223a5b2267656e6572616c225d2c226163746f72223a2230316131666634392d343033302d373464372d396635352d366138616235313566666462227d', '\xe3c7144116b96ccb2b9f69f07caf6f78d7d5639516071e3fb9d0c8bfc8d05be5');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (4, 7, '2026-11-21', NULL, NULL, NULL, '\x7b22616374696f6e223a226b65792e616464222c226368616e6e656c223a2267656e6572616c222c226b6964223a226a42696631786242664f50444c434338637a6b646f41222c2266696e6765727072696e74223a2238433138203946443720313643312037434533204333324320323042432037333339203144413020433031432033443835203430323520314631362041303131204545464320434444372042423439222c226163746f72223a2230316131666634392d343033302d373464372d396635352d366138616235313566666462227d', '\xbfc05eedb53ac5603845e6c57389fe239ca3aaaf660a5873cb9f4059f660512f');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (5, 8, '2026-11-21', NULL, NULL, NULL, '\x7b22616374696f6e223a22726f7574696e672e70726f66696c652e73617665222c226164766f63617465223a2230316131666634392d343738612d373436652d383837632d333738313233396530643161222c22616374697665223a747275652c226361706163697479223a31302c226368616e6e656c73223a5b2267656e6572616c225d2c226c616e677561676573223a5b227a68222c22656e225d2c22726567696f6e73223a5b5d2c22616666696c696174696f6e73223a5b5d2c226163746f72223a2230316131666634392d343033302d373464372d396635352d366138616235313566666462227d', '\x8ade1e6a1fc6a2ff62c74f4ed6e38818ca92cce97c9f335fc8a93d7ede24e0b5');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (6, 8, '2026-11-21', NULL, NULL, NULL, '\x7b22616374696f6e223a22726574656e74696f6e2e736574222c226368616e6e656c223a2267656e6572616c222c22756e726561645f64617973223a333030302c226f70656e5f64617973223a333635302c22636c6f7365645f64617973223a323930302c226163746f72223a2230316131666634392d343033302d373464372d396635352d366138616235313566666462227d', '\x8dd78a5d87bd4e2412a5a29f48567b11a1c1b80216c788abe5002c018100777e');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (7, 1, '2026-11-21', 'd281b2b3-5408-4dff-a9ee-363cd75490e2', '\x59eb0360d7dcf5ecc87402c53188af23f5f6293f9cbcbd9100947f4ae79d24c3', NULL, '\x7b226368616e6e656c223a2267656e6572616c227d', '\xd745f646e4a68c3640ee528d0eb3810eb701e497f79780875c1590b97824ab76');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (8, 1, '2026-11-21', '7d9672c4-31e8-42db-8d33-cda83b8c7eb7', '\x9e9f20b85022b4fa9c2bdf05a26c1b32e51132ef539410ea03b4b826e00aaccb', NULL, '\x7b226368616e6e656c223a2267656e6572616c227d', '\xc796c2edfc86e88c249fa0f4ff79df7a99c3453bf6c41e38eda5d581ca7bc8d8');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (9, 1, '2026-11-21', 'dab190e3-7dec-4c12-a28c-008f65b7498c', '\x2a94f4fea2c249f5916e84658958b00f62e493aa427462ca72723ff93332d6ba', NULL, '\x7b226368616e6e656c223a2267656e6572616c227d', '\x21a3864bc342711b9a01bd1fd89a0a642413c2b096274ccdda694234bd0df9ca');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (10, 1, '2026-11-21', '019a1fa7-d6df-40aa-a2b5-36bb5c441422', '\x92ea399226d58c79ddfe0a9cca078ba7ee9033428dd9ebec7180299529bfa2cf', NULL, '\x7b226368616e6e656c223a2267656e6572616c227d', '\xcde6916186d7c7a6b5049becf9fa9d056c61d37458a3c9c1ffcc717c1d9a37af');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (11, 6, '2026-11-21', 'd281b2b3-5408-4dff-a9ee-363cd75490e2', NULL, NULL, '\x7b22616374696f6e223a22636173652e61737369676e6564222c2263617365223a2264323831623262332d353430382d346466662d613965652d333633636437353439306532222c226164766f63617465223a2230316131666634392d343738612d373436652d383837632d333738313233396530643161222c2272756c65223a226f6e6c795f656c696769626c65227d', '\x23c2e61d428ba84e15ccb4f71e1f2ac1e5d3d71d64882cc9caae8772e5d69c79');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (12, 6, '2026-11-21', '7d9672c4-31e8-42db-8d33-cda83b8c7eb7', NULL, NULL, '\x7b22616374696f6e223a22636173652e61737369676e6564222c2263617365223a2237643936373263342d333165382d343264622d386433332d636461383362386337656237222c226164766f63617465223a2230316131666634392d343738612d373436652d383837632d333738313233396530643161222c2272756c65223a226f6e6c795f656c696769626c65227d', '\x0c95ef214bf6d60aa6cc47e39052f996e3a8219928c28d5ed6c6486f0ab7f61d');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (13, 6, '2026-11-21', 'dab190e3-7dec-4c12-a28c-008f65b7498c', NULL, NULL, '\x7b22616374696f6e223a22636173652e61737369676e6564222c2263617365223a2264616231393065332d376465632d346331322d613238632d303038663635623734393863222c226164766f63617465223a2230316131666634392d343738612d373436652d383837632d333738313233396530643161222c2272756c65223a226f6e6c795f656c696769626c65227d', '\x26a662472a96715b3499a25e983c7c514440a0b58ad4ef2a31c44abe029af881');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (14, 6, '2026-11-21', '019a1fa7-d6df-40aa-a2b5-36bb5c441422', NULL, NULL, '\x7b22616374696f6e223a22636173652e61737369676e6564222c2263617365223a2230313961316661372d643664662d343061612d613262352d333662623563343431343232222c226164766f63617465223a2230316131666634392d343738612d373436652d383837632d333738313233396530643161222c2272756c65223a226f6e6c795f656c696769626c65227d', '\x55442e3eef6206bd29eddb9fc64316b8f257b2d4f227a92bc7faf8f59c9a675a');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (15, 2, '2026-11-21', 'd281b2b3-5408-4dff-a9ee-363cd75490e2', '\xfda89c73633cd29c79ca65d135ad389fc6448f4e4378193a5479a1e9373e6764', NULL, '\x', '\xeceed3960f18cdf9ae18f91201a859a4c4b9f63d80d986813c696cabe83d5afc');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (16, 11, '2026-11-21', 'd281b2b3-5408-4dff-a9ee-363cd75490e2', NULL, NULL, '\x7b22616374696f6e223a22636173652e6f70656e222c226163746f72223a2230316131666634392d343738612d373436652d383837632d333738313233396530643161222c2273747265616d223a6e756c6c7d', '\x1fb394701a1312dbb7cbc3247f811335771ddd4a0256c810f30bdf45145b8510');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (17, 3, '2026-11-21', 'd281b2b3-5408-4dff-a9ee-363cd75490e2', '\x94fd2c1b3324e46f11e5d4abab07e14fb04da9b1449c9a03311e56e728be5ac7', NULL, '\x7b226163746f72223a2230316131666634392d343738612d373436652d383837632d333738313233396530643161227d', '\x969f9a9230ecfbeec160379fbd6b511f7cdd0f46cca2c20aa14b57c24fd4272f');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (18, 5, '2026-11-21', 'd281b2b3-5408-4dff-a9ee-363cd75490e2', NULL, NULL, '\x7b22616374696f6e223a22737461747573222c2266726f6d223a226e6577222c22746f223a22696e5f726576696577222c226163746f72223a2230316131666634392d343738612d373436652d383837632d333738313233396530643161227d', '\xe5faf50bb30725a0515b1a20196648bd2956ef03c5ed56460e64785a5437ba66');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (19, 11, '2026-11-21', '7d9672c4-31e8-42db-8d33-cda83b8c7eb7', NULL, NULL, '\x7b22616374696f6e223a22636173652e6f70656e222c226163746f72223a2230316131666634392d343738612d373436652d383837632d333738313233396530643161222c2273747265616d223a6e756c6c7d', '\xd30181734aa68cec619225b32598e12718a852b53472708b52fc952456e05719');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (20, 9, '2026-11-21', '7d9672c4-31e8-42db-8d33-cda83b8c7eb7', NULL, NULL, '\x7b22616374696f6e223a226c6567616c5f686f6c642e72657175657374222c22686f6c64223a2235656262613465632d323032392d343030632d393735652d633736323131383265623663222c2264617973223a3336352c22726561736f6e5f736861323536223a2266363534336437356266353839306564303163393236343966323538393165626165646131663563383830666364393231663066326138323239326462303839222c226163746f72223a2230316131666634392d343738612d373436652d383837632d333738313233396530643161227d', '\x534045a5ffbc906cdf3aa237c39e6f3ce0e5ba5fea70a8b358d780f70601016f');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (21, 9, '2026-11-21', '7d9672c4-31e8-42db-8d33-cda83b8c7eb7', NULL, NULL, '\x7b22616374696f6e223a226c6567616c5f686f6c642e617070726f7665222c22686f6c64223a2235656262613465632d323032392d343030632d393735652d633736323131383265623663222c22657870697265735f6f6e223a22323032372d31312d3230222c227265706c61636573223a6e756c6c2c226163746f72223a2230316131666634392d343033302d373464372d396635352d366138616235313566666462227d', '\x024925d12bc74c21b9b8585f30936bf695dd1717becad1a6e49a97243dfa10e9');
INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash) VALUES (22, 10, '2026-11-21', 'dab190e3-7dec-4c12-a28c-008f65b7498c', NULL, 9, '\x7b22726561736f6e223a2277697468647261776e227d', '\xa015a013231942ea36d36ba7929e70a60d25dc0a11f51c51691853f0c974c321');


--
-- Data for Name: advocate_keys; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.advocate_keys (key_id, advocate_id, public_key, wrapped, status, enrolled_seq, revoked_seq, created_on, decided_by, decided_on) VALUES ('\x8c189fd716c17ce3c32c20bc73391da0', '01a1ff49-478a-746e-887c-3781239e0d1a', '\x04350c48a51492ff95fd940faaffe0a1328bcf7e725aa210268f1e644fbafd93989a43deb5fd546cf266ae458ceb6a48a3431d7a3d77aab06e9655de89b616a76f', '{"v":1,"alg":"PBKDF2-SHA256/A256GCM","iterations":600000,"salt":"t2dQJ-1PBgQsTNDSCWEBIA","nonce":"3gf4wAnpyIEGzmdt","publicKey":"BDUMSKUUkv-V_ZQPqv_goTKLz35yWqIQJo8eZE-6_ZOYmkPetf1UbPJmrkWM62pIo0Mdej13qrBullXeibYWp28","wrappedKey":"zsUD3W3JvdTSgITzaJ0n3cqCIrQ-WyDDCdifhBe1XD_JC0nEPKh1qVozac1ZYKsA"}', 'approved', 2, NULL, '2026-11-21', '01a1ff49-4030-74d7-9f55-6a8ab515ffdb', '2026-11-21');


--
-- Data for Name: advocate_profiles; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.advocate_profiles (advocate_id, active, capacity, channels, languages, regions, affiliations, notify_email, updated_on) VALUES ('01a1ff49-478a-746e-887c-3781239e0d1a', true, 10, '{general}', '{zh,en}', '{}', '{}', NULL, '2026-11-21');


--
-- Data for Name: channels; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.channels (id, name_en, name_zh, active, created_on) VALUES ('general', 'General', '综合', true, '2026-11-21');


--
-- Data for Name: cases; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.cases (id, channel, lookup_id, submission_seq, header_hash, status, opened_on) VALUES ('7d9672c4-31e8-42db-8d33-cda83b8c7eb7', 'general', '\xd5ccc66161cd5688e2ef3f341ee1c455af27105e66e89a1e7e9d53de481a858e', 8, '\xc2c37ea1ec683bd48392fbb8fde5de1e248ffd26e68c51eb61c4d98de9c9c860', 'new', '2026-11-21');
INSERT INTO intake.cases (id, channel, lookup_id, submission_seq, header_hash, status, opened_on) VALUES ('019a1fa7-d6df-40aa-a2b5-36bb5c441422', 'general', '\x3b0f957a147037a57fa569d039cbec35c867a269cc4c5bf756d3e9bea7daf683', 10, '\x0a1c4f1f65f6814505efa18c124877ce042a81e0863284ae4e61998d60544db7', 'new', '2026-11-21');
INSERT INTO intake.cases (id, channel, lookup_id, submission_seq, header_hash, status, opened_on) VALUES ('d281b2b3-5408-4dff-a9ee-363cd75490e2', 'general', '\x5171b68b3893e098a847feeaacdf36cb951c44fe9492919e0c5ffbcffdcdb819', 7, '\xdd683401048b7e9096b27039d8323bb38ba4b2490f30449a05e44e49e0ec686c', 'in_review', '2026-11-21');


--
-- Data for Name: case_assignments; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.case_assignments (id, case_id, advocate_id, assigned_seq, assigned_at, opened_at, ended_at, end_reason) VALUES ('9b6c48b9-c6df-4e08-8f98-f42dd66f0ec6', '019a1fa7-d6df-40aa-a2b5-36bb5c441422', '01a1ff49-478a-746e-887c-3781239e0d1a', 14, '2026-11-21 18:00:00+00', NULL, NULL, NULL);
INSERT INTO intake.case_assignments (id, case_id, advocate_id, assigned_seq, assigned_at, opened_at, ended_at, end_reason) VALUES ('56a451f0-bdb1-4d62-9bd7-a52780ebadde', 'd281b2b3-5408-4dff-a9ee-363cd75490e2', '01a1ff49-478a-746e-887c-3781239e0d1a', 11, '2026-11-21 18:00:00+00', '2026-11-21 18:00:00+00', NULL, NULL);
INSERT INTO intake.case_assignments (id, case_id, advocate_id, assigned_seq, assigned_at, opened_at, ended_at, end_reason) VALUES ('20497bea-5651-4686-84ef-a4228ca3462d', '7d9672c4-31e8-42db-8d33-cda83b8c7eb7', '01a1ff49-478a-746e-887c-3781239e0d1a', 12, '2026-11-21 18:00:00+00', '2026-11-21 18:00:00+00', NULL, NULL);


--
-- Data for Name: routing_regions; Type: TABLE DATA; Schema: intake; Owner: -
--



--
-- Data for Name: case_routing; Type: TABLE DATA; Schema: intake; Owner: -
--



--
-- Data for Name: case_vaults; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.case_vaults (case_id, vault) VALUES ('d281b2b3-5408-4dff-a9ee-363cd75490e2', '\xad17c76cd888cb03d54bf7241b3550391eed51a0b47be00a5942198ce3383775411eb76d34aef4e3dcf5b63894941a798e6e3495909ca2b04e21a20bdd6b2605ab49497cdc5c20205f4cd0a7d937e9578d5f45c70be0be546c3a65f9');
INSERT INTO intake.case_vaults (case_id, vault) VALUES ('7d9672c4-31e8-42db-8d33-cda83b8c7eb7', '\x1e002a26f0245e535d4cc9fc15fcfa266f40e5d86889ab082c8b4d9542517bc7c02f08b4c20385edeeb091480167c7a03407934970cadffad7dd3e82fb792176f6edc701aa4e810abc2ee7fdbdc6255b2f3cc14eb180e14aba958c20');
INSERT INTO intake.case_vaults (case_id, vault) VALUES ('019a1fa7-d6df-40aa-a2b5-36bb5c441422', '\xca25e71ba79cbe4ab43a0621e546292a3e8b8944583d25fdce3f2b232de00215a80e758aa2bb396f9df1a888c52290b56f6ca39da098dcf9793ca77c4892655dd3523fcc864256b21e3804d01e73ad782e00ecac193e4a399f85b0e2');


--
-- Data for Name: channel_keys; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.channel_keys (channel, key_id, public_key, added_seq, revoked_seq) VALUES ('general', '\x8c189fd716c17ce3c32c20bc73391da0', '\x04350c48a51492ff95fd940faaffe0a1328bcf7e725aa210268f1e644fbafd93989a43deb5fd546cf266ae458ceb6a48a3431d7a3d77aab06e9655de89b616a76f', 4, NULL);


--
-- Data for Name: channel_questions; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.channel_questions (channel, "position", label_en, label_zh) VALUES ('general', 1, 'Where are you now?', '你现在在哪里？');


--
-- Data for Name: ledger_checkpoints; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.ledger_checkpoints (tree_size, root_hash, issued_on, note) VALUES (15, '\x9303c570ca8a12319d069b1e423836085f1d1cc9b26d3325ab538ab700921084', '2026-11-21', 'intake-upgrade-fixture
15
kwPFcMqKEjGdBpseQjg2CF8dHMmybTMlq1OKtwCSEIQ=
time 2026-11-21

— intake-upgrade-fixture pxek/jIC7eJji/RGtJKishymJ/tQuMD7DT5gU0o8aV1QgycaXZCTdOA0/yPtjmff278Tk5G2dGLkTwvrWPsSb93qmmA=
');
INSERT INTO intake.ledger_checkpoints (tree_size, root_hash, issued_on, note) VALUES (23, '\x5983dfdb063d411d6c4dc90aa1b02333945e106074b0dc2a40b19e646601ecd4', '2026-11-21', 'intake-upgrade-fixture
23
WYPf2wY9QR1sTckKobAjM5ReEGB0sNwqQLGeZGYB7NQ=
time 2026-11-21

— intake-upgrade-fixture pxek/taveUQVKWPihpKSL+wZV4GXXLZZv1Mb8QSgWtoPPRaK5PhXMW6IYuVEg9J+OAPLjQ5EvQMhlGwoEyDUbL9ymqA=
');


--
-- Data for Name: ledger_head; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.ledger_head (singleton, tree_size, frontier, root_hash) VALUES (true, 23, '\x0000000000000017c61af75e4848bbac2cb4626c170168d47f91fd3619bb6fd8dd5c94072b62038eaefe05eef25ca23fefb9078f41a81fbd457a4a77e16a2e7a187707f447565132b2c2043f445c8bee05d0b26cdc240097e06dba87e38365def97a2d80e223912ca015a013231942ea36d36ba7929e70a60d25dc0a11f51c51691853f0c974c321', '\x5983dfdb063d411d6c4dc90aa1b02333945e106074b0dc2a40b19e646601ecd4');


--
-- Data for Name: ledger_nodes; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (1, 0, '\x5013069e74304076baeddacdd24a841ab32a931b29984559c364511edf385883');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (1, 1, '\x1a7ba0a0db89257f37cfb9e67f014d7aeed2c9b28488fcd659fe30856b5dc536');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (2, 0, '\x5e1c7813c16e0aa62446d5e5de35c9119197e397343f93a5a462301add7c4c44');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (1, 2, '\x0ad46c92ccf8a7ec6cff3e3ca6973fc9b897c21ea0f525798f4914b272fa500c');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (1, 3, '\x413ebcad5bf79d6c7be2d109322b0381283bb25322253b87a3f0eeb30211658d');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (2, 1, '\x438c949682cb54df7df95da24857a6724ecbd02a3c468b0ff8d54938d7450751');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (3, 0, '\xf821a72a7820642454359d5eac12b9a54c7083cac3c24982e6647d419a5b420f');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (1, 4, '\x93adf59c9b08090bab2d924d375faaa3e018a8eb9651da2809cda508b3d5530d');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (1, 5, '\x040f5481ab1fa16d1384585d3b5dbeb6d33ddb6d52ea990361b5e15451f15c59');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (2, 2, '\x954ff7d79a5885f688ec285e9173d4d4cca71c089ca66a1fad6b6bb4f567f14d');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (1, 6, '\xa5a014a0b569ff71bbbeea08c3a280cbd0f40bef8b30b49acd54c9d702b4db31');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (1, 7, '\x4aa4121fe76876542924deddbbd746f877782570c556e137e8a10a2a8fed4dff');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (2, 3, '\xc0adcc9f9cfcf85b156b2860d02bf97c08d65239c2e7f280b53b7839395dcb75');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (3, 1, '\xd820bcc25e73b8fb9cbe6b768c20a7fefc2cc8f5d548f57f83629aca524e6481');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (4, 0, '\xc61af75e4848bbac2cb4626c170168d47f91fd3619bb6fd8dd5c94072b62038e');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (1, 8, '\xf8140a513b3fd879e92d7648a2ab5551544b0126a628e0b296ed70080cc3a8b4');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (1, 9, '\xa85bc54a6bc3fee6c6a3ccfb3eed5e6d982671ac7073dd5191007d1f112097d9');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (2, 4, '\xaefe05eef25ca23fefb9078f41a81fbd457a4a77e16a2e7a187707f447565132');
INSERT INTO intake.ledger_nodes (level, idx, hash) VALUES (1, 10, '\xb2c2043f445c8bee05d0b26cdc240097e06dba87e38365def97a2d80e223912c');


--
-- Data for Name: ledger_payloads; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.ledger_payloads (seq, ciphertext) VALUES (7, '\x7b2276223a312c226b696e64223a227375626d697373696f6e222c226368616e6e656c223a2267656e6572616c222c227265706c794b6579223a22425063796b3557536f3975724235593473344930395634564562735f562d766462736b6e3975384f3178546e4a53706739556973324e5a306c56745978454134652d35577a414b6c6b592d654f49616371756269477438222c226b696473223a5b226a42696631786242664f50444c434338637a6b646f41225d2c2273747265616d73223a5b225355355553774542507a324856494f496d4b795241443543536a454e354141414141414141415141222c2253553555537745436138776444366c4b4735696e63744938323655716d5141414141414141415141225d2c2273747265616d44696765737473223a5b227a59393264706934636a6f6539506d756765345059453571544a323153474f6667495a534e457262575667222c226a683764616c4674487652696464506e4e7a6d78394c78744c79374345764b7454656b624f6677416a3849225d7d');
INSERT INTO intake.ledger_payloads (seq, ciphertext) VALUES (8, '\x7b2276223a312c226b696e64223a227375626d697373696f6e222c226368616e6e656c223a2267656e6572616c222c227265706c794b6579223a2242486c773355784f49516d754d372d7177634847642d7435363063556a41437933676b54765a776a5151346735354736616545684f4a30672d4846667754696177633157534e734262724a6f2d686e65644e6642705373222c226b696473223a5b226a42696631786242664f50444c434338637a6b646f41225d2c2273747265616d73223a5b225355355553774542434e42427830552d6441354f69662d416f49346a6c5141414141414141415141225d2c2273747265616d44696765737473223a5b22344e666155394a353671696d534d6557427a617161696c745f7050584e6273482d556671774633657a5f51225d7d');
INSERT INTO intake.ledger_payloads (seq, ciphertext) VALUES (10, '\x7b2276223a312c226b696e64223a227375626d697373696f6e222c226368616e6e656c223a2267656e6572616c222c227265706c794b6579223a22424d516a3270416f497133484244766b32665842716e61634143644e4248445767616455384f44463645364e48466931653467653067786a4b784c6735593645414a5968696b5268326a744554584d56557a6d33774f55222c226b696473223a5b226a42696631786242664f50444c434338637a6b646f41225d2c2273747265616d73223a5b2253553555537745425336583777306852414c7753577a6f532d797a31755141414141414141415141225d2c2273747265616d44696765737473223a5b225f476938393458517444534e425a3152575a4d7a5674456c676e75694f6664746c616c7a73385646567373225d7d');
INSERT INTO intake.ledger_payloads (seq, ciphertext) VALUES (15, '\x7b2276223a312c226b696e64223a22666f6c6c6f772d7570222c22706172656e74223a22335767304151534c66704357736e4135324449377334756b736b6b504d4553614265524f53654473614777222c2273747265616d223a22535535555377454437324533565153662d724e66514f325639723852745141414141414141415141222c2273747265616d446967657374223a2238655442667862384e6578682d426259464c316c5a7a56516e704c7757364537766a533334634445494651227d');
INSERT INTO intake.ledger_payloads (seq, ciphertext) VALUES (17, '\x7b2276223a312c226b696e64223a227265706c79222c226368616e6e656c223a2267656e6572616c222c22706172656e74223a22335767304151534c66704357736e4135324449377334756b736b6b504d4553614265524f53654473614777222c227265706c794b6579223a22425063796b3557536f3975724235593473344930395634564562735f562d766462736b6e3975384f3178546e4a53706739556973324e5a306c56745978454134652d35577a414b6c6b592d654f49616371756269477438222c226b696473223a5b22487643504a33626e79447a7a54723833593265756151222c226a42696631786242664f50444c434338637a6b646f41225d2c2273747265616d73223a5b2253553555537745427a55784b526e5f696b465a4c7636344c75577a314c7741414141414141415141225d2c2273747265616d44696765737473223a5b224273585862766a50577a436759686d7234566c2d7956756d455f3638614e5f776e7950456932624d4e3230225d7d');


--
-- Data for Name: ledger_wrapped_keys; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.ledger_wrapped_keys (seq, key_id, wrapped) VALUES (7, '\x8c189fd716c17ce3c32c20bc73391da0', '\x0410568c1b196985ec55b23da78ff9049ac4643847e850e85018273419fe5321dc2b0b50788590f7916e177ad781362d78b9d480dc167073e39889d9fc892039e6c9997612430c503b63de12032dbd44dcf2d61f83ec5028fdeb377f8e27a03245721d2eb1e5f0ac79d3f0da97508f1348');
INSERT INTO intake.ledger_wrapped_keys (seq, key_id, wrapped) VALUES (8, '\x8c189fd716c17ce3c32c20bc73391da0', '\x040d5edf9abdfa2aa972d60ea14992b696f1a77ca529fb42af9674c9b5efb4e6ff746550e4ae00a1c6d2d2155727d497ee500ce3c496f2fe09c0a72ea169796d21e347474f4b820ef47452e4bcdd38846f6da47a02b1289d9529661c7c15ffc67e5c3adab4bfcafa29fef2b92f4aa2fbe2');
INSERT INTO intake.ledger_wrapped_keys (seq, key_id, wrapped) VALUES (10, '\x8c189fd716c17ce3c32c20bc73391da0', '\x042323d260b2d6d2299dda1fbc372714d2cb75bdf5a08d7cf92e4c8b184b07f6e16eee7f3ab78ac3d560599fa1a1da572961d5e69faece3d360dcbf5e7576abaac9222a23855b6c21851fb42be345f4e24d0ebf103ad9509354aa648a1c85960aca60f0cc0988f5c29bb4b32e0e2fc0541');
INSERT INTO intake.ledger_wrapped_keys (seq, key_id, wrapped) VALUES (17, '\x1ef08f2776e7c83cf34ebf376367ae69', '\x049bcb7aa1dc678ad811c97a767474d42f56a1b0efa0588420da0223ec259794b075cc2d523e97ea55ccb4e6aa183c2669340013ee13163c0b761fce84aed57847079c86c66eb4b5b5bbc35ab610fc7a767dc4d4f8fe8e1143805b30ad531c0eef4c5f23010ff229682e3adfd01257545e');
INSERT INTO intake.ledger_wrapped_keys (seq, key_id, wrapped) VALUES (17, '\x8c189fd716c17ce3c32c20bc73391da0', '\x043bb42544141389f4dc0e932753999f1b8e4f0a32a39707c1f9389e5c8740185a01f96a0565efbede10441b6f49295646038277400672e0ba7d39f8057981f453e958319f8aee7e1e18a28886977de5670d01880e47cdee6d8b483657bc61f681fcb378551f6c825ce8d830ee4b69a1c5');


--
-- Data for Name: legal_holds; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.legal_holds (id, case_id, status, reason, days, requested_by, requested_seq, requested_on, decided_by, decided_seq, expires_on, ended_seq) VALUES ('5ebba4ec-2029-400c-975e-c7621182eb6c', '7d9672c4-31e8-42db-8d33-cda83b8c7eb7', 'active', 'Police report filed; keep until the court date.', 365, '01a1ff49-478a-746e-887c-3781239e0d1a', 20, '2026-11-21', '01a1ff49-4030-74d7-9f55-6a8ab515ffdb', 21, '2027-11-20', NULL);


--
-- Data for Name: retention_policies; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.retention_policies (channel, unread_days, open_days, closed_days, changed_seq) VALUES (NULL, 90, 365, 30, NULL);
INSERT INTO intake.retention_policies (channel, unread_days, open_days, closed_days, changed_seq) VALUES ('general', 3000, 3650, 2900, 6);


--
-- Data for Name: routing_decisions; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.routing_decisions (case_id, decided_seq, decided_at, advocate_id, chosen_by, waiting_reason, steps) VALUES ('d281b2b3-5408-4dff-a9ee-363cd75490e2', 11, '2026-11-21 18:00:00+00', '01a1ff49-478a-746e-887c-3781239e0d1a', 'only_eligible', NULL, '[]');
INSERT INTO intake.routing_decisions (case_id, decided_seq, decided_at, advocate_id, chosen_by, waiting_reason, steps) VALUES ('7d9672c4-31e8-42db-8d33-cda83b8c7eb7', 12, '2026-11-21 18:00:00+00', '01a1ff49-478a-746e-887c-3781239e0d1a', 'only_eligible', NULL, '[]');
INSERT INTO intake.routing_decisions (case_id, decided_seq, decided_at, advocate_id, chosen_by, waiting_reason, steps) VALUES ('019a1fa7-d6df-40aa-a2b5-36bb5c441422', 14, '2026-11-21 18:00:00+00', '01a1ff49-478a-746e-887c-3781239e0d1a', 'only_eligible', NULL, '[]');


--
-- Data for Name: routing_faults; Type: TABLE DATA; Schema: intake; Owner: -
--



--
-- Data for Name: routing_organisations; Type: TABLE DATA; Schema: intake; Owner: -
--



--
-- Data for Name: routing_waiting; Type: TABLE DATA; Schema: intake; Owner: -
--



--
-- Data for Name: staff_notifications; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.staff_notifications (id, recipient, audience, kind, case_id, source_id, created_at, read, emailed) VALUES ('54bb5d4f-91f2-40e1-99c9-9a643a6e31bb', '01a1ff49-478a-746e-887c-3781239e0d1a', NULL, 'case_assigned', 'd281b2b3-5408-4dff-a9ee-363cd75490e2', '56a451f0-bdb1-4d62-9bd7-a52780ebadde', '2026-11-21 18:00:00+00', false, false);
INSERT INTO intake.staff_notifications (id, recipient, audience, kind, case_id, source_id, created_at, read, emailed) VALUES ('870043df-6a20-4487-8898-694143a0720c', '01a1ff49-478a-746e-887c-3781239e0d1a', NULL, 'case_assigned', '7d9672c4-31e8-42db-8d33-cda83b8c7eb7', '20497bea-5651-4686-84ef-a4228ca3462d', '2026-11-21 18:00:00+00', false, false);
INSERT INTO intake.staff_notifications (id, recipient, audience, kind, case_id, source_id, created_at, read, emailed) VALUES ('defd9ba6-683a-46de-a0f8-64e16efcfadb', '01a1ff49-478a-746e-887c-3781239e0d1a', NULL, 'case_assigned', '019a1fa7-d6df-40aa-a2b5-36bb5c441422', '9b6c48b9-c6df-4e08-8f98-f42dd66f0ec6', '2026-11-21 18:00:00+00', false, false);
INSERT INTO intake.staff_notifications (id, recipient, audience, kind, case_id, source_id, created_at, read, emailed) VALUES ('19a10e28-5351-4906-83ad-0069f04a3183', '01a1ff49-478a-746e-887c-3781239e0d1a', NULL, 'follow_up', 'd281b2b3-5408-4dff-a9ee-363cd75490e2', 'e215c70c-5d81-4f83-807e-5e9aec2d6055', '2026-11-21 18:00:00+00', false, false);


--
-- Data for Name: store_info; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.store_info (singleton, store_id, created_on) VALUES (true, 'b5d0dc78-9d60-44f2-b504-61ecfc9fddf7', '2026-11-21');


--
-- Data for Name: uploads; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.uploads (id, header, total_length, received_length, next_part, case_id, created_on, digest) VALUES ('7f48f941-9e27-4f68-946c-3e1774f08f73', '\x494e544b01013f3d8754838898ac91003e424a310de40000000000000400', 1070, 1070, 1, 'd281b2b3-5408-4dff-a9ee-363cd75490e2', '2026-11-21', '\xcd8f767698b8723a1ef4f9ae81ee0f604e6a4c9db548639f808652344adb5958');
INSERT INTO intake.uploads (id, header, total_length, received_length, next_part, case_id, created_on, digest) VALUES ('1aa27de1-0886-4c90-ad64-ac934a7d707a', '\x494e544b01026bcc1d0fa94a1b98a772d23cdba52a990000000000000400', 1070, 1070, 1, 'd281b2b3-5408-4dff-a9ee-363cd75490e2', '2026-11-21', '\x8e1edd6a516d1ef46275d3e73739b1f4bc6d2f2ec212f2ad4de91b39fc008fc2');
INSERT INTO intake.uploads (id, header, total_length, received_length, next_part, case_id, created_on, digest) VALUES ('fb72e11c-db59-4c40-80b5-82ac9cf07b87', '\x494e544b010108d041c7453e740e4e89ff80a08e23950000000000000400', 1070, 1070, 1, '7d9672c4-31e8-42db-8d33-cda83b8c7eb7', '2026-11-21', '\xe0d7da53d279eaa8a648c7960736aa6a296dfe93d735bb07f947eac05ddecff4');
INSERT INTO intake.uploads (id, header, total_length, received_length, next_part, case_id, created_on, digest) VALUES ('15c3c59a-3205-4ca4-9625-56c2cf18b23e', '\x494e544b01014ba5fbc3485100bc125b3a12fb2cf5b90000000000000400', 1070, 1070, 1, '019a1fa7-d6df-40aa-a2b5-36bb5c441422', '2026-11-21', '\xfc68bcf785d0b4348d059d5159933356d125827ba239f76d95a973b3c54556cb');
INSERT INTO intake.uploads (id, header, total_length, received_length, next_part, case_id, created_on, digest) VALUES ('c1c15316-71ea-438b-b8f6-2548382e20de', '\x494e544b0103ef613755049ffab35f40ed95f6bf11b50000000000000400', 1070, 1070, 1, 'd281b2b3-5408-4dff-a9ee-363cd75490e2', '2026-11-21', '\xf1e4c17f16fc35ec61f816d814bd656735509e92f05ba13bbe34b7e1c0c42054');
INSERT INTO intake.uploads (id, header, total_length, received_length, next_part, case_id, created_on, digest) VALUES ('067a3383-c8a8-4aca-862b-1ff13208bfe1', '\x494e544b0101cd4c4a467fe290564bbfae0bb96cf52f0000000000000400', 1070, 1070, 1, 'd281b2b3-5408-4dff-a9ee-363cd75490e2', '2026-11-21', '\x06c5d76ef8cf5b30a06219abe1597ec95ba613febc68dff09f23c48b66cc376d');


--
-- Data for Name: upload_parts; Type: TABLE DATA; Schema: intake; Owner: -
--

INSERT INTO intake.upload_parts (upload_id, part, bytes) VALUES ('7f48f941-9e27-4f68-946c-3e1774f08f73', 0, '\x494e544b01013f3d8754838898ac91003e424a310de40000000000000400b83e7f652753f3541321b918c32b76a19f7e7fd0a2fa63a30507009d08653a6ac3d140ca302b17d838278b923885639baf1054d9da83a1e128fd97b715a177ab10c0b8ae5efbfe258283a6e493195591c25498bf6603fbfee60247bef4e072c54f4fb758db5f86a636a89e2b6d28b5f6cb68fa137dff207a76d31deb9a93fd1641aed7cfaa8f484d4dc6ab7f227a63ab7fb70a7cb0e463d43b1714b9dd0adba795a9a266bc679ce874dec847e686ae4f7a94f041bf6a62c043fe9322fa7b6fc1d73ba4b89c4608cc6361ae42b523cb2914945c318444e4838a510257780ebc96f0aff62f20ad0b455a6eae6082912f33a4c41ea67d3ec540ac80093419d25c0132f52d968355fbedaba148c7a679fecf33dc44799bd2f30d00715cd30ba088d2e8a8a467f2992afe834459e5b0f6ef1459b228c2bcef3aa8b0352f5e49251124df27707c9354f5117c8275ee3792a5a8c0ee6f64ecb44b2583d36f695a1e6c72c5b995fab371e3818f6399726d02866de1a8be23f538fc5ec43fcdb6199a553949f2f3204fccd3377b449cd44c0a5e4a6ec5cbf04b400156436ce756e1521280f08a5b039c3dbf83cd388eb1add286c8e94f001082ecd92a1e5332a45662d4e076dcdd5e1fbc7628dd90250cb4a954e8ba47177b3ae31c66ec14f3c983481d06dcce4671b4b3a02e83fd676a188752b4ea8890a5178642fb9ca86cf46b196b84ae13ca21e7da7de891b6e0fd3c892371bc44ed7879e71e7e7951c235170efe46f6027b5165faa7d60bba063edf1e5798aa7edaf52bfb2273d714287907d8378c8ad5044e94552709a73b457f22531c202ef05b1015f45a5fae5769cf09c62603f07ff96fe60d2207e63f97e63d58a59744454554e8a6ed740c9ac70dcb7a4b34292bc1a4b50548d1a51d203803446ceaf08924441618d748807e61198c76e8e436515c2b1bbbcef84a0dc6f614a5916e374b703851b996976b681adf8b81971197cb94ca8a408b9afaadec6016982b1bc18066ad7ac2ceb9842e10503c1c1ef0aaeb71d574cc1006a8c1a97ec907a7e30f5d5df9725bbbb6d44fd7be02bc52c2de41e12d409cf964716fb96ed58476f2db726497681a4bcb0158b70967b9601d1b69d94fb1b3428617ac56f6e16b87d48721acc1450255466c69e812b1aa16d8670ed424c58f88206d8a98f9d63b2a7edb7126540d15ca32867846381dd47191f1c7d5188623f3decd0d15aa8e97c96c2e2dcdf59dbb7ec7eccfd2fe6387cf8040be82a92eb8f0e2c5a18acfe18d1310195f3cb6eea433004494a9599772635c0e2084f833280128f9c1907e3a2eb3575077289da874db030b163b2366fc73cf2d7f7ebf6899a6dcf8ba0999d4e974aa786ca12ce9feef5b9c8fdf277d4d348024b66004ca0e85d1676c14dc6e787bf932c2b734c491f0372158ba65aa1ded6cb23b57b0d71f6053f52439e62969cda8');
INSERT INTO intake.upload_parts (upload_id, part, bytes) VALUES ('1aa27de1-0886-4c90-ad64-ac934a7d707a', 0, '\x494e544b01026bcc1d0fa94a1b98a772d23cdba52a9900000000000004003a4110e3f4c38ad77aa139b70759612c12aa9ebe8a6c1d6f88852f47a8e9f583b4d718e42c163b31210764774d24323b8bef842500c73e7b92ced108a44328ca5e37b4d8ed1c1d58e324d1ed8bb09e336df3803dc9bac5c70abf79582407ced4438cc6a031395dd5613bf1f10654d976b54ba1504d94e272730528539a10286d0a9fcf6ca0048a652b03fa8d7f73c8995d792df049418b39fe2431e88300f28b2db8aa18ea0b89b00995dc986a08111955e7c4f3c1bd3e29b0afbc13164d8662a374be281d69761b286abee516ff76f3d6a54fd8ac0a53e7ef3be463905be5ad2d8a6e9d727efdd0e75fd07314c8948ad438200472de02087472558f501b095393300b8e714bc3f0e58020849b621d9ec6c2252b7aee1dd7da46aac6692d39816ffbabbe510fbc9ed17ed64d4e6df7acdd06490b3bd6cb7442b573bf10696ab3bdcc261602c54efe2bb3b4f881465a05fb33b49a3d05e1ace3ea744a7c900f3e2951fa7761577068bb3cac508af03b29e338f43726c311f6c6edd28ce5dd92fc4325b1942ea9a29039abed303017dbfed61360d515348a4639785ae14a6bed688fe5ec450695cab5519e64e858dea1d3766a4eafcd84f7ab26b5ea05b63000bb1867500347930499aab927d5fff5a0e66dff23d5e0aa6449d0d64101ffd8debca403b581ea7c391995d083ff79729fd122803f261fa8c8c7a0cfc302c1fb61acf27327b6482153dab6958754f4ef05daae15f326e414612e01ba6f9d1451dfee561c490e8eaec3eab20effb534d005ce945dfe2b8812bcc18fb2eb4393463bffabf1e581565619914b945468f28c52ca4133814f1b31bd9fa93f040f2b3000f9f0c6e6cfa631a2fca50310ed0ba66c8f1635d373a91a9e19e7e2b9c89010ac517882d2e61d6a3f70b2aff0828103c6be4e9bf8f9652a591cacf03edafec48611dbbfa6d4e78a64d79be0b0163ae6baf92a0fef7a225a32127f911bf29e38e08339c8b4790dd7a0e7bef08c5c793b5af89b12ca147cd4206f1ac773d0438b284cb17debe05887b20fc324b8395ba0b70b40bf7a0695c7c01c0eabb2980313320b3ecd1969d21a9b0cccec131d5b9491fa927b86f103524d5ef847d36ef93fa75c1a00485420f4b3ec5e754422fd0c09c4b51d49849a67f66aa8acce166d7639c33cd1f12581e38170284e5b713905ce9063873755e25a458efb5c970ed39b8c11da0b021263576cb62b94b8e2f9727de2d5be92c7a2783b25eea7e5b1578b3f103bc3061b508158974c1b1757b314044218c56f7fcc6a3c5640e8a5830ef3f465828b9a1720d4cb19603cebb1df1c9d22d8b6636aca3ca1d79a5009e79a118704e4d9dffdd4d359cbf8cafe16c9566532ff36b42c323bb7a68338f5d92bb4637ac9b5c08208ba7cedef85da33cbbc95924a4c3b5c0bd5ea0b4d2139a5685adfaa8cfd74c1d141eda76c859463c1aeb9ab');
INSERT INTO intake.upload_parts (upload_id, part, bytes) VALUES ('fb72e11c-db59-4c40-80b5-82ac9cf07b87', 0, '\x494e544b010108d041c7453e740e4e89ff80a08e2395000000000000040068ec28c1f387da93c2d0293ec382dfb0556e4df875c18286c7b22aed786d119c47cb6f34fbd0d4e8e4a3858d23c1c7d001391c2503891ad752d65d0d10f01ad9649ee218e1247dd6ad03695e82737a2183ae65cedaffc6ac029ea0603d2da2d1b5bfd0eaf713661bd6a4a4e22b50463c923cf6bbf2c62b3aa67693b66e4911d84b98d8aafd9d27c3602b94ae1c8c5427214e33505b8d6b521aa2d3c238ea12780ee144495dd7014cd57fbc1b88b3d101a96fb8876a198d8dd80fbcd1be91758c0067f9b3498b21b09afd41f3638a89ea771df53d44ff07f0eff6e5b3cffc04e0acf19f1253dcbc222dc5d29efa25977b2641cc8c6bb1204556fa96c5bf8d91a4a4cd770391d173c924385ac1e3254b13b61c82f5ebaf496596a0a67d390608dd72bd54619564617f0327c64c4a9d9dcea90ad360ad5f93707674492806bc0a183db81582c17385c85ed142a93f35fec7acca96d51ec61a823e3a43a60f362c877845d334dea1673ab121c957bcdba8cb8ba5f1a074cf8c442553a7fd2558b56cea7c4c58abe5727f9dfdd7de3853778e52fe3ffa1050032a4e5a3d2ad90616e71e9dc949952a5b4058d869451d9406db66ae72876b4fa2194d367f130e5aa1b61975e2a39b1affcac3b56b321e824a85bd3dd85ce4b11e4df5379f5d2d6f48b18fdf6b463ac218c48000f92da689205f341df338689b2521547da31a76ec313a51f0fa2558e7bae59cb291d46ebf18263fe72d4ad7c2474fd2041ce68ac50df8879abf1020f0021850fcee56dc35be3e1afe1b6511daf73b46ba682e7bfde151c0f41d196bbcd32d256efb3ddcfe61f5f61fb8074d8843bdecf9661311ef6a7a0b1872019c163358ef656effea7a6db77f1dc9d487da510ac3477959781adb9fde8429f7ae15290cdeb141a0e50fd9f6110da7ab211288ca7e1252859f512ddd02778005c9aca65d60985a54484ce58d34e214b64b01605a8ca2023d3bff5946a19c6744d06db260d60571fea8766f948a7cb07d953af9191564d67151b639b7c3dc92ad652218bc160a4456da2c3e0c9855211f65578a7ed090d8baffbb70e8ddba1cc7e37208bc00da62b0fc11881705fef3d6660b6773799096b7e217be00c8f74e5a10a08090cec5edd767d57cfb1c8b841f376ff2c1d61e5677b63d44e448883f21bf5255f9a32f8a154df87cd785218245c067ca488860b71ddbb63bbd1b5d20b16a097c313ffe3c2a52ff891359eaf6bf43f1b8894dc8a4528c849c7a4bd679486f528b65c6aa57aa57ed87b9a6b26fe7b43a6981f9260a92060d364a8fde4f4feb81e8bdf602b1b2b5e3364dbd126c595ba3b0d4013df64b12ee6e167ed0d12d8fdaf343edd5ecfa97d6404e77f21e268d833631e4851f99c18342f1749a686383348f744b82eccc4a07cc6b4952aba2948bd5958e848c675faab4ac1a86997fbef9115ee1110eda200e4fe8');
INSERT INTO intake.upload_parts (upload_id, part, bytes) VALUES ('15c3c59a-3205-4ca4-9625-56c2cf18b23e', 0, '\x494e544b01014ba5fbc3485100bc125b3a12fb2cf5b9000000000000040043da76e7d1f024d7e96505afafb67beaa1c34f21c76b1751d9e8a1f30e423ddd84f3b065e4f8af0d1c2d3d366da457537d3d463c69d1701202314950b4dac5ab42f5a067a85c588dc0ff34d7ebe287f20218af6f0fa1692d9fd0b8454d8ff4aebf502fb05dcf9a4ea2b75e68a3ba856b59bf19764e89c7fe78df5da9735f53be9bf0eb09ddee3be5c24307c682a2ce3eef9ae99900c4648f79f63531d4bb380fb7196b1cd6d8b9186d4fd57059a44f92f6deac4f3f7fe8cf2ed00ba645a8141f225c5ed8b6774a417a5b27f58791c8f325cbb32e33546f23273c86ad97840a007a58396e9227126a0a2e97bb70c3780b8fa517c6ca912c0c17c6048a3736d782af93e60fa98d53c70a0ee909369e95c77489bb2d00522a94056cf836f164c6b32f229dccc1a136ed050e36bd6a5124ac90df552a8b45822e53809ed0848424aad0d0795413d2a596f091e31e89a1eae570bd88df877c23a0f9899f8ea5272a585d83f3c33fa9d1c1a3180e929e5aa27515855d38d8d35017edced92c0c5a705afb703f2218ba4b5877a730b2e8e97b17de77143ca8ca3f4e1b29cdb5fd5726f9e69ccd7400bf61945f07518f818be5ccdba0baafed8b36c00620169441f25eda0ae83201596690413bbd5b184e700ada2dbc591f439e5b1f1f196964d8eff5ec9135a14130f10e6f9ac33c8261c4fb889364cb1a0aa79dfcbe12da84f31fba36070c0e5e148ee64f7600c56a743547a2744afb8e002836ad893731cbc7391565524889677fcf7c0edf7619090951256f3cb4b8a3e9d391f857f410ca83a7f0a4379ba22a5b3fe7bcc877287880050d9b5eb7da7e3f7fc17f166c623c56714115d65bc756d41691227fcc399edfb107dcaa86fadf55479273c960ba8e28ea0dcc4f9ff72e113739f2d5aeece88ffc39f337f2255935973ad5e5cf4273f28b6a7d6f5d8f803086073bf60ef002e3d31499604fce572c13a513586d254f62f0ee4e259c28f24b7522e50d20732f287d7de3821e3b6534f547995d0cf6cd0a2f8b18c1937fa9d7b24932c3e05977ee0f09b64fc205edd03e002bcac0395d577bbd3559c014582efc0a83caf6ef20cc09fd86ee6835dd859dd2e5a448388556c354fbf653bb1cf8530be746840928f4888f60d6fd083cd25cd47c30bbb1f21f134dc894a2a163442977d038400f6b065a694f5a1b2871135ec255a6387267beda0025f230cbd3c2e07d404e1de58645eb4126e746b91c9a83de965435a9efbbdbab7507e4f4bcb1e169576a023c9a3c55f3db368b577a78e568727ef089fa4037a6c0c213606cb0efa514b07fbbb3d523910291344744c94120597f0bf781f1d21f4b4b3bd37c27a2947416189b48d4e5edf41e41944ca35c2a36f7f4ee99cc6ab81e0028b381b97a8eb4e151ac007490342f624236fb57589e72100f003be5cbd95781a8c54bddb7a3526d528387c29a5e83');
INSERT INTO intake.upload_parts (upload_id, part, bytes) VALUES ('c1c15316-71ea-438b-b8f6-2548382e20de', 0, '\x494e544b0103ef613755049ffab35f40ed95f6bf11b50000000000000400b85c701d83f825d960643fa3bda51b64717aa44608921a75b1cd10f7fbe3f2bc6a640ea8e53141e03dd8232b8784e1a31a8d4517fc2c2567e496afba13a5615c418027ee621dfc8c6a2744017225757bb62b849bc3b10221af7b981926838e4bbe26fec6ab6344b030beaaefa2c8d63e317a4a3bfa790ea0b32804cb5a923bf8fec8a3a852f151d744553b17262a4844d982b2c9c58e396e2d8026f45707f1f685bf47526c779d40070924e2de610d9bf1f27bd5b85682c0c003314dd7f641db9a2c4de927b6b5b49808ee084cbca126e9cf7009620b190876fdafd6b7bd04c9db72e5dadcbf8f2d0ff8050559ade89af3951912767a019f782677d9441bf39fad8b5524683f8899fb852218e060abd6eecd4b5d5a6141deab535c1972516d10631a0b3ec28758db3a0c682645a32d79f4106c326a53388a12579d5dd753f76a5143f488461995f9a750bed4bc44a16549ede875a4a0c70f1d6ae7be5805f0ab19314d5043a81e166ded09de83d6c42571dc4f07054911c0808c77e7eeffafede8a7a3f0150d5b4a58b452c303922823a11cef767bcdbb2fd44789a9e82e9ba7db6db35bc9a85a1548b0f2d1c5c9ed5cc487250bd38d0899f9c3d09ae2bbc3bb4a26959480a887bee9b98134d533b8038cbeb3cd9785ae323dd110c64aebd7eb6c8840cbb99a17daceaea1d4a885d47ed66cebf93e646a5a0315bf4c1870600e76d29cfeb63eb550999863be66dc9af3a0bdb91b0015a31955dc4f2ae6c53cb51accd639ee0f1c49bea174b150ad1748b4a9f242a0ff26885889ab448f6c36e482909cab2fbf5cc66e248b396016ba1486b6174957d858f7c5e4f1cdbb7cbc7d26732863bc281dca497967b54cfc28016d1736f8186a9271d24ec98209f0915c6d4ab134be7dc8c5e121e18fb2ae0c552a19ff94e2c06913b16926a094733fdfccb2814d195f297c15c825a9611fbbb3c71beed966824c30de1ca3896d93e9bfc76ff477fcf906dfe9e8045dc148eabb7f168cf725ef7bdbe97bd2d246e14ccd8b45097c7c42ff8ee6481fa3dbba08e73164f5df217ac82405f2f6d13cc792f570c46e75e705a6af5131a40fabd8e1e0b39ff564f43ae4f8d773471c6f64f37b2485ec050766847a60221860990fb50085a771d84e1337676a472bdb086955dbd5b986f1fb52c95e6e57c5e455967b892ee031cac089419f50403ea5d2365aae8d5231a47b4e3fc00812261814332445f2dfe177d69bdda9bd7f93fdb39345cfbe4522edc1224061e26c589660cc82b65e0f4c295927daac19115c2e5a72c9db62132ae71bd12e4d353e8137084fef16fbd9f0586f50d6c98f878df4779654597ea351fbacfda88f2c1de0240a06719f95352db72256c8e1a2ce5dc968581fa2d5bfe19836367b68a4b5f10786f10bc4fe391592c72d9764842cbdfd6fba4ff8f94ce9dd610b622c4b36691234a5d045');
INSERT INTO intake.upload_parts (upload_id, part, bytes) VALUES ('067a3383-c8a8-4aca-862b-1ff13208bfe1', 0, '\x494e544b0101cd4c4a467fe290564bbfae0bb96cf52f0000000000000400701b98e6b8a75355f378b3fbab2da6530284f07bf552651ae77b0d457701adb23025b3cb0b27e82c6687a9cbfcc2bde7b3a47355796a5b260c07b2830430b4bdf581a5d49d83a84975a06754fd35c059a0d7ba3759b7f12ad6c603ca57da4cd96ead7979b78fc0b0b14ceb36482dbf026bd56732af927625aefed53827fef80e75b8c4dd4a01f6f1291ec949e02a3a5960eff7425d7a68e2f1cd4d6699ee534643a2d11837143ab31e0b31c2dc9704850cf4e258f108469f2da6d34635a33bf71d974cd14d99511be8c3d31649c1feb1ba6b477c465bb4749d4c8071a3cca4d38b6f69a49b6b0b7e4c572dcce0d1ef22e92c6b35af4565c3675f6c970823fac1bcdfd4414b0173d40d0ef426837333bf29606eb45b48b43bd6869ff35688bcc43f24f2e7859b67f85977bddcc869817837de9075cba3f2b97bdc2921642726ac1f329d72a74e5755452e264f1761b36dfc90da2957b04b259b903f03d6fba2594b0741cf5f16e2aabd41b335d2ea66bb24dad547f622cafa29d7108d589daa5c88f6616a9d33cb0c975ff157d230dadd6fcac3822a1aa3135f43586b3edebd6db910eb1a1a1f7273ebc7c7391ac4a16241eb7afa0e20fc1761a938349157424736f6e45280e2cffd716f4e7a1a8d908e84f8653a6896adfdab00b2b3b26c4b06751e856426ab128c7a559e8fe59ca45056b04feaa51c93bb253e0808079e8a474b903e373d18420f602187f14120e724a0854e323ab53a1e4009f39b9ef70241c3b71aea0fb1b8d30bf6118c03bc7e99d0867a9013d5761c54d4fbd3ceb8fcb8b11e377c4d08f70466cd21a9fb169890371530fdc021bf7fcf3b7757e066ea14bbc17a376661eac4fcec9439ca1a31dbac08e277b6befacd1a72ee09aa6dfcfe1892ac8a42e82f2750a94e96e0494e8750fa8c43dc20da9aec705ef120a5df75c32e6575c2b167c4291b4858a237d96537d833bc32ac3ce170ca2480d87615da59c300c477ea722ad89c2931247718eb6ba6bdc7409a66dfe67f473d58c59f333f7cdfffe3f4de46efe529ff1ca43822ab7cfa319165d662bccba0b09e0cf5a52ee98f8100045de9e12fb16f647e965870179d7e73ba98233df48efb9b1da1804a31b89c66fc13687d6c9edc7cc89ef18c69b809c5e56683a65270a4939ced6776f226a2b1591b44503a2448583ff39cc1b3af2594be2faaf214917bdf03f9e27dd3242e5e94be6ef0f67ecf22e8c5fe133d391a04b352d033762e4205a7e5d3e106cfb06cd3ff7672070b35d2d1c41e1472dc9139b7fd4a7af5e0eceb383551a5dd957949eb4ca0dcbf6e3aebc1cc02646c743d7da7b73cd955f8f6f2008f9cecd7814d1253e386b8e2dcb99cdc5eb15a75adf53e3dc0c55e677b454ce3ad56b11cb42a7e681be95a69ef3b3a0bfc7c5af0a51333f636498c83495365d970f09d559aa533b2a7b90e3fd4d09048bf71');


--
-- Name: role_claims_id_seq; Type: SEQUENCE SET; Schema: accounts; Owner: -
--

SELECT pg_catalog.setval('accounts.role_claims_id_seq', 1, false);


--
-- Name: user_claims_id_seq; Type: SEQUENCE SET; Schema: accounts; Owner: -
--

SELECT pg_catalog.setval('accounts.user_claims_id_seq', 1, false);


--
-- PostgreSQL database dump complete
--


