PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE series (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  description TEXT,
  metadata JSON,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO series VALUES(1,'The Lighthouse Keepers','The last keepers of a lighthouse that refuses to be automated.',NULL,'2026-12-01 13:05:39','2026-12-01 13:05:39');
CREATE TABLE scripts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  author TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  file_path TEXT UNIQUE,
  format TEXT DEFAULT 'fountain',
  metadata JSON,
  version INTEGER DEFAULT 1,
  is_current BOOLEAN DEFAULT TRUE,
  project_title TEXT,
  series_title TEXT,
  season INTEGER,
  episode INTEGER,
  series_id INTEGER REFERENCES series (id) ON DELETE SET NULL
);
INSERT INTO scripts VALUES(1,'The Lighthouse Keepers Episode 1: "Lamp Oil"','Tomas Reyes','2026-12-01 13:05:39','2026-12-01 13:05:39','scripts/s01e01.fountain','fountain','{"content_hash":"56c6089530dd7ba9c905aff6390eaac3628bcd5693c8e53cdf9a12d9a22e2f9b"}',1,1,'The Lighthouse Keepers','The Lighthouse Keepers',1,1,1);
INSERT INTO scripts VALUES(2,'The Lighthouse Keepers Episode 2: "Fog Signal"','Tomas Reyes','2026-12-01 13:05:39','2026-12-01 13:05:39','scripts/s01e02.fountain','fountain','{"content_hash":"42bfa065940d4864d6874f61d9b0ed34f7163e94a8d2a273616a7596658c3f02"}',1,1,'The Lighthouse Keepers','The Lighthouse Keepers',1,2,1);
CREATE TABLE scenes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  script_id INTEGER NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
  scene_number INTEGER NOT NULL,
  heading TEXT NOT NULL,
  location TEXT,
  time_of_day TEXT,
  content TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  metadata JSON,
  last_read_at TIMESTAMP,
  UNIQUE (script_id, scene_number)
);
INSERT INTO scenes VALUES(1,1,1,'EXT. GULL ROCK LIGHTHOUSE - NIGHT','GULL ROCK LIGHTHOUSE','NIGHT',replace('EXT. GULL ROCK LIGHTHOUSE - NIGHT #1#\n\nA white tower on a black rock. The lamp turns. Every eleven seconds the sea is lit, and every eleven seconds it is taken back.','\n',char(10)),'2026-12-01 13:05:39','2026-12-01 13:05:39','{"content_hash":"752e490c5b2e373b0364ed63bc7ce7333455a67ab25ed5af46ddb89c5b873439","fountain_number":"1"}',NULL);
INSERT INTO scenes VALUES(2,1,2,'INT. LIGHTHOUSE - LAMP ROOM - CONTINUOUS','LIGHTHOUSE - LAMP ROOM','CONTINUOUS',replace('INT. LIGHTHOUSE - LAMP ROOM - CONTINUOUS #2#\n\nEDDA VOSS (60s, oilskin, spectacles on a string) polishes a brass fitting that is already gleaming.\n\nEDDA\nEleven seconds. Always eleven.\n\nA knock from below. Three slow raps on the iron door.\n\nEDDA (CONT''D)\n(calling down)\nThe supply boat comes Thursdays!','\n',char(10)),'2026-12-01 13:05:39','2026-12-01 13:05:39','{"content_hash":"edf44b7ebfb19def00fb7991fea989c1f27838c2646cb02f347cae2afca1c6d3","fountain_number":"2"}',NULL);
INSERT INTO scenes VALUES(3,1,3,'INT. LIGHTHOUSE - STAIRWELL - CONTINUOUS','LIGHTHOUSE - STAIRWELL','CONTINUOUS',replace('INT. LIGHTHOUSE - STAIRWELL - CONTINUOUS #3#\n\nEdda descends, lantern swinging. Her shadow climbs the wall as she goes down.\n\nAt the bottom, a YOUNG MAN (20s) in a soaked postal uniform holds a parcel above his head like a trophy.\n\nPIKE\nRegistered post. For the keeper.\n\nEDDA\nThere''s no post on a rock.\n\nPIKE\nThere is tonight.','\n',char(10)),'2026-12-01 13:05:39','2026-12-01 13:05:39','{"content_hash":"c8fee54800f6f05b3f1864d10f2f682863a94a9afbb1ff1489cd20323cd2591e","fountain_number":"3"}',NULL);
INSERT INTO scenes VALUES(4,1,4,'INT. LIGHTHOUSE - KITCHEN - LATER','LIGHTHOUSE - KITCHEN','LATER',replace('INT. LIGHTHOUSE - KITCHEN - LATER #4#\n\nPike wrapped in a blanket, steaming. The parcel sits between them on the table, unopened.\n\nEDDA\nWho sent it?\n\nPIKE\n(reading the label)\n"From the keeper." Same as who it''s for.\n\nEdda takes off her spectacles. Puts them back on. The label does not change.','\n',char(10)),'2026-12-01 13:05:39','2026-12-01 13:05:39','{"content_hash":"085fc39d5e13b84bac38a394f810c36724c701625c0d56062230a4646dc41125","fountain_number":"4"}',NULL);
INSERT INTO scenes VALUES(5,1,5,'EXT. GULL ROCK - LANDING STAGE - DAWN','GULL ROCK - LANDING STAGE','DAWN',replace('EXT. GULL ROCK - LANDING STAGE - DAWN #5#\n\nGrey light. No boat at the landing. No boat anywhere. Pike scans the horizon, then the rocks.\n\nPIKE\nHow did I get here?\n\nUp in the tower, the lamp is still turning, though it is day.','\n',char(10)),'2026-12-01 13:05:39','2026-12-01 13:05:39','{"content_hash":"e66f4e93f38db751fcc733992d4e1d502d8626eef47277bc562c8f4f55ee5450","fountain_number":"5"}',NULL);
INSERT INTO scenes VALUES(6,2,1,'INT. LIGHTHOUSE - KITCHEN - MORNING','LIGHTHOUSE - KITCHEN','MORNING',replace('INT. LIGHTHOUSE - KITCHEN - MORNING\n\nThe parcel, still unopened, now wears a tea cosy. Pike eats porridge. Edda watches the parcel.\n\nPIKE\nWe could just open it.\n\nEDDA\nWe could just jump off the rock, too.','\n',char(10)),'2026-12-01 13:05:39','2026-12-01 13:05:39','{"content_hash":"61b29d4b1f172e9f51b1f8386c3b3a8d9427fbbf4f2a151b102e26ef457f0a81"}',NULL);
INSERT INTO scenes VALUES(7,2,2,'EXT. GULL ROCK - FOGHORN HOUSE - DAY','GULL ROCK - FOGHORN HOUSE','DAY',replace('EXT. GULL ROCK - FOGHORN HOUSE - DAY\n\nFog rolls in thick as wool. Edda cranks the foghorn''s compressor. It coughs.\n\nEDDA\n(to the machine)\nNot today. Don''t you dare.\n\nThe horn BLARES. Somewhere out in the fog, something answers it. A second horn, lower.\n\nPIKE\n(O.S.)\nEdda? Was that an echo?\n\nEDDA\nEchoes don''t harmonise.','\n',char(10)),'2026-12-01 13:05:39','2026-12-01 13:05:39','{"content_hash":"9b900c70c8b70fc4857722de61f5a7016fca856d1dc64a5d4e2a79563787fbcb"}',NULL);
INSERT INTO scenes VALUES(8,2,3,'INT. LIGHTHOUSE - LOG ROOM - NIGHT','LIGHTHOUSE - LOG ROOM','NIGHT',replace('INT. LIGHTHOUSE - LOG ROOM - NIGHT\n\nShelves of ledgers. Edda runs a finger down a page of copperplate: a list of keepers, their dates, their signatures.\n\nThe last entry is her own. Below it, fresh ink: PIKE. Dated tomorrow.\n\nEDDA\nTomorrow, then.','\n',char(10)),'2026-12-01 13:05:39','2026-12-01 13:05:39','{"content_hash":"384b4abcd861abedd0672e6a5ad06f12ae6b474225e5d13c17e7047057be5ac3"}',NULL);
INSERT INTO scenes VALUES(9,2,4,'EXT. GULL ROCK LIGHTHOUSE - NIGHT','GULL ROCK LIGHTHOUSE','NIGHT',replace('EXT. GULL ROCK LIGHTHOUSE - NIGHT\n\nThe lamp turns. Eleven seconds. Twelve. The beam stutters.\n\nIn the fog, two lights answer.\n\nCUT TO BLACK.','\n',char(10)),'2026-12-01 13:05:39','2026-12-01 13:05:39','{"content_hash":"31026cc9e7cea7a529f506fa9bc5a66f216b9bf23630b50878ba87610b8eae8f"}',NULL);
CREATE TABLE characters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  script_id INTEGER NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  metadata JSON,
  aliases JSON,
  UNIQUE (script_id, name)
);
INSERT INTO characters VALUES(1,1,'EDDA','Keeper of Gull Rock for thirty-one years.','2026-12-01 13:05:39','2026-12-01 13:05:39',NULL,'["EDDA VOSS"]');
INSERT INTO characters VALUES(2,1,'PIKE',NULL,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL,'[]');
INSERT INTO characters VALUES(3,2,'EDDA',NULL,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL,'[]');
INSERT INTO characters VALUES(4,2,'PIKE',NULL,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL,'[]');
CREATE TABLE dialogues (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scene_id INTEGER NOT NULL REFERENCES scenes (id) ON DELETE CASCADE,
  character_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
  dialogue_text TEXT NOT NULL,
  order_in_scene INTEGER NOT NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  metadata JSON
);
INSERT INTO dialogues VALUES(1,2,1,'Eleven seconds. Always eleven.',1,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO dialogues VALUES(2,2,1,'The supply boat comes Thursdays!',3,'2026-12-01 13:05:39','2026-12-01 13:05:39','{"extension":"CONT''D","parenthetical":"(calling down)"}');
INSERT INTO dialogues VALUES(3,3,2,'Registered post. For the keeper.',2,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO dialogues VALUES(4,3,1,'There''s no post on a rock.',3,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO dialogues VALUES(5,3,2,'There is tonight.',4,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO dialogues VALUES(6,4,1,'Who sent it?',1,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO dialogues VALUES(7,4,2,'"From the keeper." Same as who it''s for.',2,'2026-12-01 13:05:39','2026-12-01 13:05:39','{"parenthetical":"(reading the label)"}');
INSERT INTO dialogues VALUES(8,5,2,'How did I get here?',1,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO dialogues VALUES(9,6,4,'We could just open it.',1,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO dialogues VALUES(10,6,3,'We could just jump off the rock, too.',2,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO dialogues VALUES(11,7,3,'Not today. Don''t you dare.',1,'2026-12-01 13:05:39','2026-12-01 13:05:39','{"parenthetical":"(to the machine)"}');
INSERT INTO dialogues VALUES(12,7,4,'Edda? Was that an echo?',3,'2026-12-01 13:05:39','2026-12-01 13:05:39','{"parenthetical":"(O.S.)"}');
INSERT INTO dialogues VALUES(13,7,3,'Echoes don''t harmonise.',4,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO dialogues VALUES(14,8,3,'Tomorrow, then.',2,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
CREATE TABLE actions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scene_id INTEGER NOT NULL REFERENCES scenes (id) ON DELETE CASCADE,
  action_text TEXT NOT NULL,
  order_in_scene INTEGER NOT NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  metadata JSON
);
INSERT INTO actions VALUES(1,1,'A white tower on a black rock. The lamp turns. Every eleven seconds the sea is lit, and every eleven seconds it is taken back.',0,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(2,2,'EDDA VOSS (60s, oilskin, spectacles on a string) polishes a brass fitting that is already gleaming.',0,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(3,2,'A knock from below. Three slow raps on the iron door.',2,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(4,3,'Edda descends, lantern swinging. Her shadow climbs the wall as she goes down.',0,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(5,3,'At the bottom, a YOUNG MAN (20s) in a soaked postal uniform holds a parcel above his head like a trophy.',1,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(6,4,'Pike wrapped in a blanket, steaming. The parcel sits between them on the table, unopened.',0,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(7,4,'Edda takes off her spectacles. Puts them back on. The label does not change.',3,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(8,5,'Grey light. No boat at the landing. No boat anywhere. Pike scans the horizon, then the rocks.',0,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(9,5,'Up in the tower, the lamp is still turning, though it is day.',2,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(10,6,'The parcel, still unopened, now wears a tea cosy. Pike eats porridge. Edda watches the parcel.',0,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(11,7,'Fog rolls in thick as wool. Edda cranks the foghorn''s compressor. It coughs.',0,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(12,7,'The horn BLARES. Somewhere out in the fog, something answers it. A second horn, lower.',2,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(13,8,'Shelves of ledgers. Edda runs a finger down a page of copperplate: a list of keepers, their dates, their signatures.',0,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(14,8,'The last entry is her own. Below it, fresh ink: PIKE. Dated tomorrow.',1,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(15,9,'The lamp turns. Eleven seconds. Twelve. The beam stutters.',0,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(16,9,'In the fog, two lights answer.',1,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO actions VALUES(17,9,'CUT TO BLACK.',2,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
CREATE TABLE character_relationships (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  character_id_1 INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
  character_id_2 INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
  relationship_type TEXT NOT NULL,
  description TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  metadata JSON,
  CHECK (character_id_1 < character_id_2),
  UNIQUE (character_id_1, character_id_2, relationship_type)
);
CREATE TABLE scene_graph_edges (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  from_scene_id INTEGER NOT NULL REFERENCES scenes (id) ON DELETE CASCADE,
  to_scene_id INTEGER NOT NULL REFERENCES scenes (id) ON DELETE CASCADE,
  edge_type TEXT NOT NULL,
  weight REAL DEFAULT 1.0,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  metadata JSON,
  UNIQUE (from_scene_id, to_scene_id, edge_type)
);
CREATE TABLE embeddings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  entity_type TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  embedding_model TEXT NOT NULL,
  embedding BLOB NOT NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  dimensions INTEGER,
  lfs_oid TEXT,
  UNIQUE (entity_type, entity_id, embedding_model)
);
INSERT INTO embeddings VALUES(1,'scene',1,'all-MiniLM-L6-v2',X'f972c8bdcaa2dfbcd7736f3d2fdde43ce61f7c3db0d9f2bcb62d5f3dcc359f3c52c9133b1763cfbc0a764cbcd5d131bd24b9a03dcc9b1ebc5d8dd4bd6396e63d2963f1bc67fec4bd709927bb58df8f3daddd013dbb13b2bdd101b5bb1dfb57bd3adac4bd7b9b373d3616f03c22f189bc67398fbb3dc70a3687d359bdbf0b25bd2fa6bb3dd88f8d3d1861463d9a5b90bd3749d53c57a7eabcc9e3c4bae2632fbddae933bc0274263c9bc49bbd0f5ea03d50a418bdcc7099bd06183e3d77c3433dd5b760bd13cee9bd39cda8bd7f160a3d25b5f73c61ea913b4caaf3bdf4c352bd510e60bc105bbfbd69d4683d7672b2bd000b4f3c3022f4bc0505973d1c5d9f3d52272cbce5e5c3bc0377a0bdf5a7a03c2d447bbdd667783c83d012bd3a2a14ba77fad1bba340073c12aa93bba4b782bdb388ca3c1635c33c5a503cbdd45e7c3d52df71bd1091213ce3d3c13cb1b387bc17b7b63c714fcfbd27c944bb2bc85ebd5926c43ce2c247bdbcb26dbb5a7cbebc2679153de1532dbde4834d3cd9c5f5bc8601293d156ff9bc5ca148bc09e087bd1bf88c3cd28dc8bc69988f3d265bf63b3bfcdbbd8e97693c0e28e13b387cd13c3f42453d158977bd44723e3c3024abbcd2edb4bd072ab83c52d9eabcfdb131bc69ca4c3bcea2863dd3141dbc8466d33d6b8be0bc913740bdaea4a03d902bab3c6ffbffbc10a9be3de03ce13d39841b3cd2ac37ba33439b3cc81f353d55ea89374ecd933c4807973c5c8dcd3dcdffa9bd877defbcdb35ccbd434fdabda7ff6abc0796663d45fa01bb73109a3b83b07cbd2c853bbdcea564bdff40ebbd2de592bc8c841bbd4e33413beb94c9bbdf1c4a3dcf43253e8f37d8b99bc239bdfeee9abded5808bcec23443c872c063d886cb33c85d023bd6839413d48e05cbc23b8943c229981bdcddb3f3d04489b3d7518ed3c6d5d873d70978dbdb29d233dc2c298bd55c81c3dcda9063dad12473d0751b83c74287cbce1ce3abc71e0b73cb035f2bc88ae293d3274bb3c5d60c5bcbc54403bc4f714bd8166e73c893013bd54a73d3dc318ebbc56c683bcccac683da9f3cbbca852c33cf76fa23ca17e8c3c04450e3b74bb003ecb5e453d9ff7263dd3e5debdeb3134bd65b585bc7600e53a2fcbf83db1e6b5bbb49c393c0a4adbbbd66bafbc2bcee5bc37db92bb89718abbb55b5b3d13b4cabb3fffc0bc3ca5debc2b9339bdaefc2abc99f4a1bd2c408b3ca496323dfd858a3c393a6dbd31f3a53dd392c23d663ee83c1f590dbdaa9e9bbd708b9e3df849623c34f6af3c222d3a3d227b333c50564a3d88e2bd3dc21fbc3cdd4d4e3ced571dbd492e9d3d2d2c78bdfa4b1c3d4d1724bc4185233c9fe5c73c135ab4bd5c23a03da34358bd339423bd49ea673c62dd26bcf10f11bd4e24893d98bc1bbd1afadeba3065133dbba19a3d19e3bfbcd32b97bd0876b3bcaccd283ce33d3f3d755a1abdb2dbbfbbab7c95bd6c8d343d884601bd116b84bd22afea3d3933cd3cdad7fdbbef76c93d4c19043e6dac203c7f2c77bdcefd023c66c3d73c39f1a9bc83d96d3dfe24a6bc0551f4bc67b00c3b871172bd7d5b57bdfc07633dcb937b3dacb440bcd16c82bd00ed2e3d90f105bd866aa53c534239bc91520abbdcb2343dcfc0053d52658abc360869bdcc221fbb14b12bbd9d0334bd7e5d203d551b4c3d262542bd8d21a6bd209273bdab0939bba1c6c43c8535ce3a3d66883dad5b40bcd6d2a63d18d018bd0b0c1cbc6cac2d3b150b223db4b321bc6e819dbd5700a93cbaf0a2ba091612bdb991563c7cf869bda1d6e03d38ea023da4e1b23c987beebd43e13e3d57404f3d02b1833d236e0dbd5fa9623d76e5fe3cee1e203d78cf073d7eec013d6eec62bd03fb89bd629cca3dead7a1bcdbc1c0bdaf3c903d34d7473be45cc3bc62891e3c4041cc3b65be9cbc66077e3d298a683cf60d91bcd278be3d2f06d0bcad804f3c640416bc565e833b3b25b73c36d9b6bcd5e7e53bc89692bd70e944bd142c54bd3826d9bde5d47abccc098a3d85d8dfbcd7e9123d87b106bd004fa0bbd3bf1fbd820d04bdf9a6a43d1d06513c77d60a3d65240b3dc35b8a3cbc8b2c3c47749ebd8eff4abda3bd1fbddfe0883c6b130ebd92f0d6bd231b50bddce22b3d0db488bce93f2abc2851fd3d','2026-12-01 13:05:39','2026-12-01 13:05:39',384,'c2488ed517b316c60c14cd0376718514fe31839916f67d04d502671ffb801866');
INSERT INTO embeddings VALUES(2,'scene',2,'all-MiniLM-L6-v2',X'282e4cbd057f17bd5edc4ebd3b9683bd96e90fbc7f56b93cc14c193d10fa34bdb6f6fb3c41a8123da55508bed376e8bc4e61ae3caf9d193e7e84623da23cc53bd0382fbd0f21e73d60bb3e3c121d65bd86be953dfd508cbd30a046bd1c86113db54cb7bd12c4873d77d3673dd73a193ddb06073d1ee0f93cabb3dc3b5b1b473cac2474bd5f5f8c3c08fb2abdc8a252bc79ed57bdf64efe3c40c2c9bc39d3c63c477a3fbdc1731b3ca9d8e0bca06af63ce9d294bc8f496a3c0ab927bc4728673d3e67623d41ec4e3d4c86ac3c342b17bd71a2a53dba03e8bd2db5c83b9d8d553ca0ce5ebccc27023d42ef753d48116f3c2a0e21bd10ac92bc906a97bc45d76a3d7af0973cd871dbbbbb8a18bdbc97083d0ca64ebd52f55bbcc394eabd5f18e5bb314dbcbdfe2e9abddaa344bcc6c538bddd4a6cbd26d3f43bf1f6093c4ddda6bcae3ee3bb989c4a3d2eed60bda3bfe8bc165be43b3b4ce13d2d75d3bd88832cbda7f0cbbde2970f3d3552e1bc1935e6bafe6f613de6f144bcec8876bd3fc95b3dd8ae333d6241b53dbdb71c3bc804fbbb82994ebddd6c9abce28d83bb650495bd0015cfbc76e23fbdea3e7a3c2fe98a3d30486a3d8bde353d20c9a03ded83513d21bf37bc74fdb5bb4a774a3d0c667b3da3eb80bd5add93bd7108adbd2864403b6246263d02c5ddbc61e9f93c95d986bd4c60a13c82da28bda9e5c6bc45d64cbd2cd58b3da9ad263d1aa03c3d8574993d27aa68bde794243cfe53e3bcb312c33b9d3eb3bd235200bdbf070dbc76c30f3eba03ec3c9a2294bb4df9b93c55e78cbb7b57df3ce6759c3da747a53c7dd886bd8543323c82e7ed3de741253c990cc13dc626adb9ead1783df8508c3d642481bd6f7af93c24fd4abd6d698a3ba0aab4bd9e8cbcbc4d8c523b35e1973c70c8403d790ddcbb2df09b3c7ff3b5bbc7b0413dc534e13bc4cbef3b91025d3da322bdbcc9f8e539f6d4d8b92ed7433dc0cc82bc01e03c3cefacb73caec99abc7bbe533d8bb78b3d1d4b6abc140f57bc149e6b3da1b58bbdde8d503c2596db3d4845a83c171f96bdb30136bdcf18ebbc3d68b9bd76416cbd7fe62cbc18fe123c794b92bda85bd8bceb4805bbd9a99bbd207206bd771ee13c397ca7bc37f7babd228312bc8f07823d62d211bd39ade33c9176cd3de0daefbd0135643dd79c27bc06620b3d22d911bd478d063d2b50643dba71113d5096c23b62ec1abdcbd59bbaa2e674bcaa8724be8f12b23c261902bca86967bd0cb909bd7e1e083db73cf3bdcb92ac3c791507bd22c7063d89bdff3cac11783ccd15903cc35337bd9bd9163d4ef480bddfb435bd4e8198bda645923de6ad893bee8125bd649c8e3da0e7413ca59f95bd266b0d3c9dc087bda1d3e03c99b1bbbd92adb73d7a3c023db6baa13c556cbbbd341f4cbc3f4eae3b734391bd08102a3df7f3963c31d7cd3b56d915bdfefa8d3c09254738f28cb4bdf868a3ba9995ecbc59cb80bb96e15fbc6ad47d3b165ffb3cd33d91bb461c3cbd994c193cc2be1f3b3fc7bcbbd559663b695496bbd92e0a3d5c21d8bd0b488cbd0e2e36bb545a073cf4a4a3bd1b810bbe4cadbdbd451ea8bc7628d5bcf9a6303e72438a3d97ddc5bcfcd33f3d7823a43cdbeaae3df87998bab7750abd394fa0bc086b443c1ee0fa3c9d18323c9339413d912fdf3c779726bc64cf453d6abd10bddfadd53ce2c203bcaf638e3dd916d93b273e3abdc2e4a3bc59e338bb3f42c8bbbeaa98bd9282f43c21b147bd83d701bd595586bd0256e6bc4f773fbddf0075bdb4cb073cd189ea3b97dd663d5f284b3dcf2930bddf05e93caa94eebc19933dbd35bc40bdd1ccb8bd6ca20dbdadafc13dd6477d3d97892bbee21424bc89c437bd06bf66bdb32674bc31fda0bbe566db3decfc84bd9e6c33bde463083dfb1f9dbb4cfd83bdac0c733b5e42fc3bb930b83b9885513cd3006ebc93e0f53b0ec5983c908463bcfc700c3c6fc0d43c978ff3bc45db27bd50c34ebc111d3ebd165332bd31e6e03ca1d92b3d74ab4f3d9a7612bce4666abd913e8e3d9b3ed0bc244af0bce5f149bdf527243dc59180bc67ce77bcdc6617bd20b3d3bce071fdbc578a91b65c459abc40d88cbd1060903d750a113d20f1a33de07f78bc828784bdf10503bdd07eb6bcbb610c3e','2026-12-01 13:05:39','2026-12-01 13:05:39',384,'2cc7392644a5b5ae9643501725638ace7f4cac800cddecbd7862eb643b1c4a64');
INSERT INTO embeddings VALUES(3,'scene',3,'all-MiniLM-L6-v2',X'5cf9d33aceb1ddbbada50f3da8e1d13c3300fd3c56ee0b3c6a811ebd87e7283c621a3fbdc9df123da75827bcd0237c3d804d88bd1021ea3d5fd3f5bcecd25dbc09c93d3cc09d9d3c0a31cd3d739c74bc298f5cbc7fb048bb55ff2bbd9153383c382136bd5e303c3d13cc4d3ddbe7a0bd4d1e083d226b0dbddd0e233ce7cafd3c8c64053defb49dbd283ecfbd36ec693d175428bd5eb6173de137ea3ce981993bd10aef3c0a9eaf3c9ded9f3d8813333b16cbcdbd20e9fdbcf8bb5f3d087ba43d53f447bb2ae4553de0abb93c4e7fcdbc618f803dd139e7bd8aa6be3d500d203c6a44f7bc0801c4bc635d35bce8baeebc290c98bda50a10bd6d4d693d44a623bc9b0472bdd56efa3c24d4a03c0748633cbef320bdc9ab1c3dc706873dc40e113ee38d3bbc621f273be4ff0e3ca2c8bb3cd3d443bd4dfee63ce1f525bcf161a3bd10a2993c6961a5bccc0bc4bda3b78ebda9320bbd2ae8f73c6f9a0cbcc45fa3bb269e4dbde69eb9bd6789453d277453bdfcd242bc102640bdbc59bc3dfff843bc2c86e73b124f203d89b0863d308757bc65a5003d7b6200bd1b0aabbda05e633dcadb19bd02293dbdc03702bd9b878ebcbd72d3b9d51c073d1cd848bdeb8ec73dd74a7b3d710895bd7911363c36a5ac3cf0bbbebd4b4e9abd6e76973ba05683bdeb157b3b5ed6b8bc0389f0bc0e4e883d2a7d83bda24f21bb35ff9fbcc705ef3b69f124bd8ff0253df2f24d3dd7c692bd5c4d10bd522d463d40ea213d28d6293d61900f3ddaf39d3d4e392f3dd736323cd9ac8bbc72c6583df73e253d6d1ceabbba7e9ebdbd5591bcfa2712bef03886bc6a70a2bdb5321c3de35f66bdc6efbc3de333f13ca400e7bc81bfffbc7785813cff90d13dc808a0bb416190bcff1b85bc9abad53c8fe585bd5281aa3c21a12d3ca592353c069903bcafac84bd3e79003e29b5b93c7e6a53bd839a4a3aa02f72bd1dddc3bc9751c93cfad0bebd1c9be13c1f0005bc537a433ad1112a3d0657eb3c15b16f3bfc7e2e3d327bfabd208a51bd15fa2ebc14625fbd2bd6c73b762407ba64c28a3dacf4523c2b42533b653ca93cd9dc19bdded1233c254f383c8bf93fbd7b4990bdac30973d392601bd17d2313b30a3a53b3fb81e3d3c70fdbba125803d41e41b3d9c886e3ccc0400bd133d783df5ee893c5fab98bd955ce7bccd8071bc7bf38e3c108d0cb95ae35cbc27a700beea16c53c8ee6ab3d227e04bd42ac36bc67bce1bc80a751bb3c1c69bd057981bd1472853d759062bc229f97bdce410a3d31af8fbd56425c3d1cc7313d367a01be9f32883cbddc443d390798bd2a78963dc331103de1226ebca82802be083927bd6007eabdefc17b3c2bad37bc9114b63c832f63bda0ee8abd78b43b3d5c376bbc3d3f2fbc8dfa8a3de42a13bd5a4d963cf7dba3bd68fdfa3ca360c6bce04039bd180840bdba5058bdf5c0d4bb605404bdaab1233be6a1643be1754f3c2ffd5d3cdcf5493de4f2653c4ab62dbd0ecbcd3ddeb1b13ca0023b3cca1bba3d2a67fd3c64b35dbc52a0063de068ae3db338b03d037f033bff5b4abd70e547bd5b5c593cd6289cbd4ce9ee3c14dc9ebcc07bfc3c5923713dad0b813dec070c3d86bdd3bcb9a72c3c0bc2cb3ce8e4023cd31afe3caa6f3a3cf167033dce9abfbc12c6733b5a76acbb686afa3da26f033cd257643dfb81a7bd1720553def4722bd6fb1283cd4b385bd52a714bdbcbfa23d600a273d68f1923db105f4bdd1b1193ee45db6bd282a253c92de69bdd6a2b23ce5c615bb244e483dc3242f3c31ed9ebdbf0330bd817770bd09ddd33d069599bd359404bd431b043b0eef2ebcb9f85e3c8803dd3cb2b96abd3dff083db2bb3aba08acf0bada0e55bc16b4243d0632b6bcf02717bdcf59d63d7b275a3dfce99a3c086ffb3d64df0abdd0f480bb0249233cb18bdc3c2b95593dad3c0fbc9c5eaabdca9a593b477c27bd8f8e85bcaccbeabd8602fcbc81352dbd550ea83d56aa913d8f92cc3ba009f2bc4f4bb53b84854ebd389041bd0e852dbd9c0248bbf6550f3cab4ea73de3803e3c8b3e44bd3770fe3c880de63cf4941c3d294a6d3d6a732a3d48bc843d1513e53cbf6a2c3c47db123c44ca95bd87a95a3dd030e33d8bd4873c14cbddbc472aa13d86e7503c2e5f9bbd12152439','2026-12-01 13:05:39','2026-12-01 13:05:39',384,'346d631a1a7f0fc1b5f391bd2ceaa1e5a4bb4f09156220ad3dfac381297063d0');
INSERT INTO embeddings VALUES(4,'scene',4,'all-MiniLM-L6-v2',X'59d805bd8936973dc1e2093cab77a0bc576d903c3483b7bcd329d13d4ba4dabc1f63883dc98db63d8e6ba23a0715edbc3a49973b98b2433a578081bd78fe923dc8d695bdbbd084bd5b74dc3d81ed9b3d8296ef3c5b9b05bd8067aa3bb14923bd4630e73b525ef03c2b43e03c4e56543dece2433d80fad7bc296f4d3c365dedbca6f392bcd747aebb5b0d95bdc3ad73bd6f94a43d74adee3d152a22bdbf618b3c9fcba63bd719f4bc3f4b983dc6f1b13d4038403c2432b2b9c1c5353d3d92dfbcc6b24dbc136c3d3d897511be43d7103d9873ba3c5cd56fbcc146e73c5de295bdc8cdb3bb5bd75e3d6bae8f3b34d7e23b683adc3dc81aa43da67002bd20d1453ca24f883c622933bd9fda863db8cdca3ddeeb48bcbb988e3b50d2683d0d7cac3ca7367fbd58ac933dbd2ece3b9d2e473c0210083ccd5890bb71ed35bdcdb74f3cf942163db6870b3d08773a3dea65103b1249c53d0973f9bae3df173caf5e1dbdac464e3d83f80e3cf15cac3de56c783dddb6ed3bd28b8d3c490570bdf138923a55ea85bc70d1b3bc5763163dfe6cbbbcb356183cf12b063b4432bbbb1bd2083d2b58c33cc15222bdddc2a63d7881953d65040d3cac9f84bd3f35a83a34bed03b456094bc5631b03bc5d66cbd0a71c43a3e2ab4bcd8bc4a3d8958723cb604483ddffcc33db26b3a3cd27bbd3c3a993bbdcf5c3bbd8d49233d64c80ebda3d210bb5ef01bbd4f17283d4d60afbcb8a3613dc35db4bdb9e78e3d6bae96bd8dcb87bd70bb153d44c410bd8f0acc3deff541bc2d35153e778d973dfec37cbc5f4182bdbffa2c3d20bb0c3cf8993f3c26fd82bd6c90543c3924cabc8cd59dbd10eae5bd51aef03c930c283d329658bde700b2bd313db13b6613213d9986debca7b2493ccac1db3d0b66df3d4d22323d2d749a3df6d3c9bdd02a043da6b09e3d81b7d6bda076a6bbf7505fbdf22d2dbbf93c60bbcffbac3cd3899a3bec7f11bdb6061abc25e3b1bc7debb63c1fdb0abddcaf0e3d9f2460bcf767063e8dac49bd80d2a2bc03a9b23c494a0dbd54f742bdc902213b0bd7843a2cee03bee742303cd9a288bcab4414bdc8bc18bd82a1b03b96c1a4bce923883da640723d81810cbcfe7310bbabf57fbca6b95a3ccd10873c1694c3bc06cb863ce2820c3c60b17fbb9f7d303d79a2c33c5a8431bddd99053db4695d3d6b79b23d8b39223d1812cd3ca1b070bb46374fbbe68c293b78e29dbb2326d2bd636041bd33d370bd0721a93d125474bd1643313d80f72fbda4bda0bc3019333d07d7443dfaef27bd1cd8fd3dd0f9853d8f70523de79264bcfd04583d2f948b3d7aa7bf3cf006b03cd5cb4cbd3516d8bb1f83d83cbed25a3dd2da723de84111bd10be95bb2bfb003ca5ac83bc1bf38e3cbd4198bcc8780b3d0d7c993d3607b5bc0641063d5da1f43c3062cc3c98beefbc64a2c53a58fb99bdb2ef0f3ee0496dbd8d8bcf3bae6d823cab8f74bd325f0b3de516bebba05ac5bc64a27ebca64e543d6bdedd3dc5fdb03c6472c3bd22cc0bbdb0c60b3c870e763dff62763ceb1b2b3d34ce833cf2e39c3c7a551abdb6f8803c65d21bbd26852b3c780f0e3e2e06663d07caf63c213b3fbbf65829bd1530603d250d84bdff5ddd3c33cb803dde2424be9874f33c1456ecbd8f9c013d7140253d6624d33b2d4d34bc9dfc56bcc0bc0fbc964069bb780f223c09f18d3d3c369d39b2e39ebdbebef9bc2b4a323c24bcddbc5c8e62bc41c6243d91be7a3d49913a3d71f2373bdc45193d23e5823d33b060bdaf9140bd97234e3d214cb0bd58db5c3dc330b63d9678a93c28b623bd1d067b3d58791fbd424f16bda445f5bc89d5843d5713b23dfe7376bd33ecacbc9797d63d9718f73c293c56bdfb8310bda38f2ebdccbdd1bda345833d7087903df01f75bd6b2e1dbdb6684fbcbf80c4bcb97b2bbc8a414fbd197f1e3d64822fbdb289debdd0367bbd5534273d770fb4bd98de033dbbcdb4bc27d195bb36ad9bbb27a464bcafe9843de79407bdbf97cd3c9614283df4d080bd1bfba43daa64dabc7cef743c890069bc45dd703d1f75913d269e5b3dad4d243c3672d93b7e4d7fbdea6910bb146b3c3cbff0203db2301ebd60a62c3d877b4fbdba2a753d00fe4e3d7a388a3c946e17bc685c1a3dfadb26bd8541cfbd','2026-12-01 13:05:39','2026-12-01 13:05:39',384,'757d5f4c82416f5dbf7b3f82af2fc15fb9ae61d77e3168126171cefe5baf805b');
INSERT INTO embeddings VALUES(5,'scene',5,'all-MiniLM-L6-v2',X'4b0edfbd21218cbd5562c5bc9a66c83a3c729c3c0cb992ba9f43cfbc8ffda6bdaa4a313d08f54cbd42c5bb3c064e3a3cb918debd8e466abb41d851bd679921bca3013ebc6755c9bcb8700f3b7f05f53bc4adf83d082004bb06cb1e3d29bc6bbc0a6ed9bc7b2c8b3dfb82003d185541bca2d5773d36c9adbdfa79f73dc20cd23c6fcf4abd436fed3a8bb842bb29e006bed46201bd4d56c43d1db8d83c9b5ea63cf7f687bcfc148dbdea446c3cb6ca9dbd1b0b9f3ca308afbc029325bd74769f3cb04267bd0436c0bda7565f3d65b10b3cb79587bd34ff583d0aec98bdff28c83c10af823de05e593b434f0cba1c5dcebc5f584b3d3d80b2bc5369743d246ca83bca3b323d792806bdabdec4bca7903fbd39e2693d48c2ecbc2553e03d525fe33b940b12bcfe56083d1d35d03ad3729c3d263b863d58e96abd456095bb59e5843ca7c7503cda214bbce930bcbce1fa3dbde4d5e2bc40f7043d1fe41abd869d5cbc7b799ebccf71f23ce0baf83cfd6de2bbb3fe593c4687aa3d345e14bcd17da03daa041ebd9b2a77bdc0d7f1bce473bd3c5572863da023823d9a2a193c9ef1fd3d77c3d7bc7680a1bde65e443cfc9ea93d51ef503c47048bbd1627373c1c9c3abb3325c33dba7f3cbce8a00ebc079958bd72fb66bb14209fbdc0d76fbd572aefbc459dad3d88526c3d97f18a3c7d91d8bc6e63333c8f8e4a3da154a3bcf8cac7bcaa451ebd75a9e4bd6eefbd3c37caf03d5691543c814d9abce5bd743d1f4f903cd299123eed9d64bd58dc4fbd456ad73d76371ebdf5fd133cb2932c3b3d021fbc5e72dd3d16e0873c4b3180bd965097bd870a1bbd3f60b83c6c7201bc983efcbcf607383d2e92ac3af127143c0a6f723d3a9a1c3d31234abd3efec63c21586e3d3f23ffba2a2d90bd913cbd3b203280bd96fe753d56e4ae3de477063d5dfb40bb46e30c3c1932843d0a83a2bd86f00abdb5dcdfbd38414d3cb4f925bbf40b52bd0f37ebbdb680ebbc190992bd92e12ebcc0a676bdcfed853d5033d43c038e3d39bc3cc43ca3624cbbbb6cf7ba2af0b7bd083dde3d8427bd3cc6fce7bcd9c4a53cf3f7bdbcc7bc013d95610ebdeb976e3df9d9ea3c44cab13db25e89bda12ba5bdf225d93b9d953e3bc2038dbd8705833d640433bdffcdd1bca12c603ca0d63e3db98a253d9f0629bc902f17bd808642bd75bbcf3cfb59363dc4a6cebdb7bb75bc094dd4bc6c235bbdf770aa3bc22662bd8659173def2637bd9f3a8a3db9886abd5d91fbbc3817d43cd76b18bc837a0fbb79c8c53b393d08bd8aa217bcfaa83abc73a9f43cd79a4f3db37a433d2441e73c1ab8a83d925b363da17a133d416c4ebdab388a3d708ab5bd2a30c5bb01af88bd8a40273b42e689bd5f24643d2a51b53c5fc6e33df643c3bc1797123db4e90cbd8e1eec3c85dc04bdc7fec63cf5ce423dd4d5cf3d0c54fbbca2690bbd891b473d5e52cc3cc8a089bdcf08913ddb185c3bad2a95bdd7be943cd5397f3ce2db423d94af03be7e0d893d09622bbcff1a37bda4c0aa3cd3e281bd2d01f8bc28ac04bd69cb553dd6c622bdbb3b83bda3ddc93df31a713d773a82bdbc7cf2bcea68ad3d9e39e3bd7f1a873c5d2b14bd62c28d3c9a7405bd89fdde3ce85a6c3d1363983da53654bcd1ac993de771533d403c9e3d2e91263c4092833cf3eea43d747cfd3a28803dbd7c88383b64ab0ebd0e4e48bd9379423df55fbb3bf9a41abdf3353d3bf4cb6fbb96d1f83c3ce2af3cc8484f3cf51bdbbc52ab59bddccfa7bba4ac163d5ce4d0bbb47992bd2c59303c67891ebd7c2741bc32318ebd14045d3cc4e988bd68264cbd443bc0bd4853b13a1d72833cf5c0aa3ccb177b3d58d4063a4edab33b3777c0bd59becdbc722538bdfd55c4bc0b5a94bc3b140fbd25fab83c7d7db33c48b662bdc1f597bd1b000fbdc50cf33d96a9513d788b78bd8690593b2e7701bd0eb4fa3c287d323da4f0f23d788492bca109febca178823cc5bc15bdcac2d9bc030564bb050fcebb4c0db7bd542ca4bb582098bc6df1d2bcadf002bd0d941a3de015623d7acb2abd1597543dc3480ebdbe414f3c8ff6c1bc94cccebd3dfeb63c3f6dfb3c0cd6bcbb3bbed8bca3bea43d6f24673c749c613d6446273dc7ae293cdf19fb3c9d44da3d88e4283d2f28d2bd','2026-12-01 13:05:39','2026-12-01 13:05:39',384,'09374345be9d06b07df84088b3f7a66aec5314b63a84433ad3d912fd037df486');
CREATE TABLE schema_version (
  version INTEGER NOT NULL,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  description TEXT,
  PRIMARY KEY (version)
);
INSERT INTO schema_version VALUES(1,'2026-12-01 13:05:39','Initial ScriptRAG database schema');
INSERT INTO schema_version VALUES(2,'2026-12-01 13:05:39','scriptsync: scripts unique by file_path only');
CREATE TABLE script_bibles (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  script_id INTEGER REFERENCES scripts (id) ON DELETE SET NULL,
  file_path TEXT NOT NULL,
  title TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  file_hash TEXT NOT NULL,
  metadata JSON
);
INSERT INTO script_bibles VALUES(1,1,'bibles/world.md','The Lighthouse Keepers: series bible','2026-12-01 13:05:39','2026-12-01 13:05:39','98d073795e6178ebd829d74baff85190a615d6f41f187b9cd1877fa073a9d345',NULL);
CREATE TABLE bible_chunks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  bible_id INTEGER NOT NULL REFERENCES script_bibles (id) ON DELETE CASCADE,
  chunk_number INTEGER NOT NULL,
  heading TEXT,
  level INTEGER,
  content TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  parent_chunk_id INTEGER REFERENCES bible_chunks (id) ON DELETE SET NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  metadata JSON,
  UNIQUE (bible_id, chunk_number)
);
INSERT INTO bible_chunks VALUES(1,1,1,'The Lighthouse Keepers: series bible',1,replace('A slow, strange drama about the last keepers of an automated lighthouse\nthat refuses to be automated.','\n',char(10)),'202940c459f317296dfc23836de06742df6892d3d911e460fee6bb732b50d44e',NULL,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO bible_chunks VALUES(2,1,2,'Setting',2,replace('Gull Rock, a granite stack four miles off a coast nobody names. The tower\nis 1870s stone; the lamp is a first-order Fresnel lens that should have\nbeen replaced decades ago.','\n',char(10)),'2d53260d1543830c6b3f9dc7d4c9b8df758d155288462d1cb26988454f15ea60',1,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO bible_chunks VALUES(3,1,3,'The lamp',3,replace('It turns every eleven seconds. When it does not, something is wrong, and\nthe show is about what.','\n',char(10)),'84525598a69f7f14a042c902d0e4ebd572381310f4e89013219e1b6188b7a74d',2,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO bible_chunks VALUES(4,1,4,'Characters',2,'','518c7938c8086520cec96996eb7242a7d65fbc8ea156da096219b392ba4e60e5',1,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO bible_chunks VALUES(5,1,5,'Edda Voss',3,replace('Keeper for thirty-one years. Polishes things that are already clean.\nBelieves in routine the way other people believe in gods.','\n',char(10)),'1425b8605eb9212dfe69fcc42d9c4013daa3cb7d042aafc1d3b12b1fa31e253d',4,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO bible_chunks VALUES(6,1,6,'Pike',3,replace('A postman who arrives with a parcel and no boat. Cheerful, soaked, and\nnot entirely sure how he got there.','\n',char(10)),'51ad4bc82bae56fb681f23400ac511887d4632ed66d092b555e1012e57c51235',4,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
INSERT INTO bible_chunks VALUES(7,1,7,'Rules of the world',2,replace('- The supply boat comes on Thursdays. It never comes on other days.\n- The log book is always true, even about tomorrow.','\n',char(10)),'eb9374593f31a9c6407ac9a929f1840ee0583f6148ff134d7ac0254d858a6395',1,'2026-12-01 13:05:39','2026-12-01 13:05:39',NULL);
CREATE TABLE bible_embeddings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  chunk_id INTEGER NOT NULL REFERENCES bible_chunks (id) ON DELETE CASCADE,
  embedding_model TEXT NOT NULL,
  embedding_path TEXT NOT NULL,
  dimensions INTEGER NOT NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  UNIQUE (chunk_id, embedding_model)
);
CREATE TABLE bible_references (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  chunk_id INTEGER NOT NULL REFERENCES bible_chunks (id) ON DELETE CASCADE,
  reference_type TEXT NOT NULL,
  reference_id INTEGER NOT NULL,
  confidence REAL DEFAULT 1.0,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  metadata JSON,
  UNIQUE (chunk_id, reference_type, reference_id)
);
CREATE TABLE scriptsync_meta (
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (key)
);
INSERT INTO scriptsync_meta VALUES('schema_version','1');
INSERT INTO scriptsync_meta VALUES('serial','1');
INSERT INTO scriptsync_meta VALUES('peers','{"git":"65f41c0f1ebb1c4ea5f5796292ee0e827e47e5a2"}');
CREATE TABLE scriptsync_objects (
  address TEXT NOT NULL,
  type TEXT NOT NULL,
  row_id INTEGER NOT NULL,
  hash TEXT NOT NULL,
  child_hash TEXT NOT NULL DEFAULT '',
  attrs TEXT NOT NULL DEFAULT '{}',
  deps TEXT NOT NULL DEFAULT '[]',
  grp TEXT NOT NULL DEFAULT '',
  match_hash TEXT NOT NULL DEFAULT '',
  seq INTEGER NOT NULL DEFAULT 0,
  force_new TEXT NOT NULL DEFAULT '[]',
  sensitive TEXT NOT NULL DEFAULT '[]',
  resource TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (address)
);
INSERT INTO scriptsync_objects VALUES('series.keepers','series',1,'64a62a47b50ed60e60e2e01f338d0fad1f74efcdf0a86f33d3f5952ad082af81','','{"description":"The last keepers of a lighthouse that refuses to be automated.","metadata":{},"title":"The Lighthouse Keepers"}','[]','','',0,'[]','[]','series.keepers');
INSERT INTO scriptsync_objects VALUES('script.episode["1"]','script',1,'a36bbe86f3bc9fae7b32981102d58eb792f06ca71d7d96cfe8ccb1f900d03f65','','{"author":"Tomas Reyes","content_hash":"56c6089530dd7ba9c905aff6390eaac3628bcd5693c8e53cdf9a12d9a22e2f9b","episode":1,"file_path":"scripts/s01e01.fountain","format":"fountain","metadata":{},"season":1,"series_title":"The Lighthouse Keepers","title":"The Lighthouse Keepers Episode 1: \"Lamp Oil\""}','["series.keepers"]','','',0,'[]','[]','script.episode["1"]');
INSERT INTO scriptsync_objects VALUES('script.episode["2"]','script',2,'6d847a4c293ab7fe884081b59b395a7d1c83247e27204fb98216f6206118676f','','{"author":"Tomas Reyes","content_hash":"42bfa065940d4864d6874f61d9b0ed34f7163e94a8d2a273616a7596658c3f02","episode":2,"file_path":"scripts/s01e02.fountain","format":"fountain","metadata":{},"season":1,"series_title":"The Lighthouse Keepers","title":"The Lighthouse Keepers Episode 2: \"Fog Signal\""}','["series.keepers"]','','',0,'[]','[]','script.episode["2"]');
INSERT INTO scriptsync_objects VALUES('script.episode["1"].characters["EDDA"]','character',1,'c57d5a4aba8ce34c15af4c91b3073bfcb85c3a3fc69e1cf3db6d73bc7b8cf838','','{"aliases":["EDDA VOSS"],"description":"Keeper of Gull Rock for thirty-one years.","name":"EDDA"}','["script.episode[\"1\"]"]','','',0,'[]','[]','character.edda');
INSERT INTO scriptsync_objects VALUES('script.episode["1"].characters["PIKE"]','character',2,'d44278ca4eb39df7cb8f9328e5edcfdfe5a9109adaa8078512a32158b6fe888c','','{"aliases":[],"description":"","name":"PIKE"}','["script.episode[\"1\"]"]','','',0,'[]','[]','script.episode["1"]');
INSERT INTO scriptsync_objects VALUES('script.episode["2"].characters["EDDA"]','character',3,'600e49f4b9b47a6df2946fbf4ee92e2bf767a03a91d95567962ba63a5321be6c','','{"aliases":[],"description":"","name":"EDDA"}','["script.episode[\"2\"]"]','','',0,'[]','[]','script.episode["2"]');
INSERT INTO scriptsync_objects VALUES('script.episode["2"].characters["PIKE"]','character',4,'6cd42cedce0a404ca8544a67dd6ec980e5040b6aefcfc9518c0f4b746190c0dc','','{"aliases":[],"description":"","name":"PIKE"}','["script.episode[\"2\"]"]','','',0,'[]','[]','script.episode["2"]');
INSERT INTO scriptsync_objects VALUES('script.episode["1"].scenes["1"]','scene',1,'aeeae80d931a835addc668fa41769c349b68f7c14103279c00c41a37938665ca','e67f7fd199e58a457c78cdc38fbc7ab410fc72777dabe67cfbd2314122a1a916','{"actions":1,"content_hash":"752e490c5b2e373b0364ed63bc7ce7333455a67ab25ed5af46ddb89c5b873439","dialogues":0,"heading":"EXT. GULL ROCK LIGHTHOUSE - NIGHT","location":"GULL ROCK LIGHTHOUSE","scene_number":1,"time_of_day":"NIGHT"}','["script.episode[\"1\"]"]','script.episode["1"]','752e490c5b2e373b0364ed63bc7ce7333455a67ab25ed5af46ddb89c5b873439',1,'[]','[]','script.episode["1"]');
INSERT INTO scriptsync_objects VALUES('script.episode["1"].scenes["2"]','scene',2,'0873205056148e103cd7cd755a766367646e988573ba10d2e8a4cdef8ad29209','4e25f9052e7540cfaa9b817293a5c1779122d23940e5cdb202045f584b85edbb','{"actions":2,"content_hash":"edf44b7ebfb19def00fb7991fea989c1f27838c2646cb02f347cae2afca1c6d3","dialogues":2,"heading":"INT. LIGHTHOUSE - LAMP ROOM - CONTINUOUS","location":"LIGHTHOUSE - LAMP ROOM","scene_number":2,"time_of_day":"CONTINUOUS"}','["script.episode[\"1\"]","script.episode[\"1\"].characters[\"EDDA\"]"]','script.episode["1"]','edf44b7ebfb19def00fb7991fea989c1f27838c2646cb02f347cae2afca1c6d3',2,'[]','[]','script.episode["1"]');
INSERT INTO scriptsync_objects VALUES('script.episode["1"].scenes["3"]','scene',3,'f5f703f579732de0f192bc23f544d4410f8e2ee93bbcef2d2e75ba742a3c4031','2c018d45fc1ec5a856f0e69f0cdd8c34bf3861df845c9d8fb7afb9a3a1d9c0d7','{"actions":2,"content_hash":"c8fee54800f6f05b3f1864d10f2f682863a94a9afbb1ff1489cd20323cd2591e","dialogues":3,"heading":"INT. LIGHTHOUSE - STAIRWELL - CONTINUOUS","location":"LIGHTHOUSE - STAIRWELL","scene_number":3,"time_of_day":"CONTINUOUS"}','["script.episode[\"1\"]","script.episode[\"1\"].characters[\"EDDA\"]","script.episode[\"1\"].characters[\"PIKE\"]"]','script.episode["1"]','c8fee54800f6f05b3f1864d10f2f682863a94a9afbb1ff1489cd20323cd2591e',3,'[]','[]','script.episode["1"]');
INSERT INTO scriptsync_objects VALUES('script.episode["1"].scenes["4"]','scene',4,'7b3e0c81a488ee96fd71beb23147c42fd47eab9ebe9bc93675b6837b6d3c8e99','c23b681406356336f626ee5a967f61ecc887163731c51f492f17e4a5e78404c8','{"actions":2,"content_hash":"085fc39d5e13b84bac38a394f810c36724c701625c0d56062230a4646dc41125","dialogues":2,"heading":"INT. LIGHTHOUSE - KITCHEN - LATER","location":"LIGHTHOUSE - KITCHEN","scene_number":4,"time_of_day":"LATER"}','["script.episode[\"1\"]","script.episode[\"1\"].characters[\"EDDA\"]","script.episode[\"1\"].characters[\"PIKE\"]"]','script.episode["1"]','085fc39d5e13b84bac38a394f810c36724c701625c0d56062230a4646dc41125',4,'[]','[]','script.episode["1"]');
INSERT INTO scriptsync_objects VALUES('script.episode["1"].scenes["5"]','scene',5,'ebbacbd2d0af39b2c1333f73a9f49b748566e12f0dc99d068b26427fe16f185d','b3fa309c5e33c6526478de0988163e4a69bb1e7e364c49e8a5d1b9891c172350','{"actions":2,"content_hash":"e66f4e93f38db751fcc733992d4e1d502d8626eef47277bc562c8f4f55ee5450","dialogues":1,"heading":"EXT. GULL ROCK - LANDING STAGE - DAWN","location":"GULL ROCK - LANDING STAGE","scene_number":5,"time_of_day":"DAWN"}','["script.episode[\"1\"]","script.episode[\"1\"].characters[\"PIKE\"]"]','script.episode["1"]','e66f4e93f38db751fcc733992d4e1d502d8626eef47277bc562c8f4f55ee5450',5,'[]','[]','script.episode["1"]');
INSERT INTO scriptsync_objects VALUES('script.episode["2"].scenes["1"]','scene',6,'37ac8023cf589e3d2e35a335c247fe2c5dd526ec790272b267816a63030ce042','56565ebf0fd801558ed03f1af44f02cbb4185b22079cb07cbada26009d73c6a5','{"actions":1,"content_hash":"61b29d4b1f172e9f51b1f8386c3b3a8d9427fbbf4f2a151b102e26ef457f0a81","dialogues":2,"heading":"INT. LIGHTHOUSE - KITCHEN - MORNING","location":"LIGHTHOUSE - KITCHEN","scene_number":1,"time_of_day":"MORNING"}','["script.episode[\"2\"]","script.episode[\"2\"].characters[\"EDDA\"]","script.episode[\"2\"].characters[\"PIKE\"]"]','script.episode["2"]','61b29d4b1f172e9f51b1f8386c3b3a8d9427fbbf4f2a151b102e26ef457f0a81',1,'[]','[]','script.episode["2"]');
INSERT INTO scriptsync_objects VALUES('script.episode["2"].scenes["2"]','scene',7,'fea58cd02e25504c577c67af70b22f10f964a61f67047dc558b053900e48c4fc','5c95f62d75b9ae247339d52f75f79b79f1c38c9df860d91c8fe4741068634dee','{"actions":2,"content_hash":"9b900c70c8b70fc4857722de61f5a7016fca856d1dc64a5d4e2a79563787fbcb","dialogues":3,"heading":"EXT. GULL ROCK - FOGHORN HOUSE - DAY","location":"GULL ROCK - FOGHORN HOUSE","scene_number":2,"time_of_day":"DAY"}','["script.episode[\"2\"]","script.episode[\"2\"].characters[\"EDDA\"]","script.episode[\"2\"].characters[\"PIKE\"]"]','script.episode["2"]','9b900c70c8b70fc4857722de61f5a7016fca856d1dc64a5d4e2a79563787fbcb',2,'[]','[]','script.episode["2"]');
INSERT INTO scriptsync_objects VALUES('script.episode["2"].scenes["3"]','scene',8,'18b0d2d82dd75c782e01fcf7ddfff1820bfc5aee832fbbf36676713302d6b176','2d4c97e58f6d2e748902a677ad86a6d87c4a6d501a8d2d2d22ea064ac0f02714','{"actions":2,"content_hash":"384b4abcd861abedd0672e6a5ad06f12ae6b474225e5d13c17e7047057be5ac3","dialogues":1,"heading":"INT. LIGHTHOUSE - LOG ROOM - NIGHT","location":"LIGHTHOUSE - LOG ROOM","scene_number":3,"time_of_day":"NIGHT"}','["script.episode[\"2\"]","script.episode[\"2\"].characters[\"EDDA\"]"]','script.episode["2"]','384b4abcd861abedd0672e6a5ad06f12ae6b474225e5d13c17e7047057be5ac3',3,'[]','[]','script.episode["2"]');
INSERT INTO scriptsync_objects VALUES('script.episode["2"].scenes["4"]','scene',9,'a76fc4ccfd46b024e966e6e3ffca4efdfb6bcda919d16daf9934a5924a74d94b','f9fca1d7c4584d0679ce4542cc998f2d68db1f4da828452fc5a64b6544fb96e7','{"actions":3,"content_hash":"31026cc9e7cea7a529f506fa9bc5a66f216b9bf23630b50878ba87610b8eae8f","dialogues":0,"heading":"EXT. GULL ROCK LIGHTHOUSE - NIGHT","location":"GULL ROCK LIGHTHOUSE","scene_number":4,"time_of_day":"NIGHT"}','["script.episode[\"2\"]"]','script.episode["2"]','31026cc9e7cea7a529f506fa9bc5a66f216b9bf23630b50878ba87610b8eae8f',4,'[]','[]','script.episode["2"]');
INSERT INTO scriptsync_objects VALUES('embedding.ep1["1"]','embedding',1,'f290fb886bc0a0a00aca0756a7c5b9e6613f0e11fa42d345aa4e41da8b1f82cd','','{"dimensions":384,"lfs_oid":"c2488ed517b316c60c14cd0376718514fe31839916f67d04d502671ffb801866","model":"all-MiniLM-L6-v2","scene":"script.episode[\"1\"].scenes[\"1\"]"}','["script.episode[\"1\"].scenes[\"1\"]"]','','',0,'[]','[]','embedding.ep1["1"]');
INSERT INTO scriptsync_objects VALUES('embedding.ep1["2"]','embedding',2,'f8253967b86d10cff82494a6cec535ab1cfc145cc41fa0d26d1212fdfce477b5','','{"dimensions":384,"lfs_oid":"2cc7392644a5b5ae9643501725638ace7f4cac800cddecbd7862eb643b1c4a64","model":"all-MiniLM-L6-v2","scene":"script.episode[\"1\"].scenes[\"2\"]"}','["script.episode[\"1\"].scenes[\"2\"]"]','','',0,'[]','[]','embedding.ep1["2"]');
INSERT INTO scriptsync_objects VALUES('embedding.ep1["3"]','embedding',3,'01e0d7e94f096198755ecb95a5459dfd5b91a394b5b4f32cca11cdcfb4dbfa50','','{"dimensions":384,"lfs_oid":"346d631a1a7f0fc1b5f391bd2ceaa1e5a4bb4f09156220ad3dfac381297063d0","model":"all-MiniLM-L6-v2","scene":"script.episode[\"1\"].scenes[\"3\"]"}','["script.episode[\"1\"].scenes[\"3\"]"]','','',0,'[]','[]','embedding.ep1["3"]');
INSERT INTO scriptsync_objects VALUES('embedding.ep1["4"]','embedding',4,'3fcb71708cccf93d5254ca04bb09d33cf6e64554e6b14e780e0513d65f31c13d','','{"dimensions":384,"lfs_oid":"757d5f4c82416f5dbf7b3f82af2fc15fb9ae61d77e3168126171cefe5baf805b","model":"all-MiniLM-L6-v2","scene":"script.episode[\"1\"].scenes[\"4\"]"}','["script.episode[\"1\"].scenes[\"4\"]"]','','',0,'[]','[]','embedding.ep1["4"]');
INSERT INTO scriptsync_objects VALUES('embedding.ep1["5"]','embedding',5,'275365bf49c83df12dac4f77986f990ad65f11b93688b8435740d256df4b551b','','{"dimensions":384,"lfs_oid":"09374345be9d06b07df84088b3f7a66aec5314b63a84433ad3d912fd037df486","model":"all-MiniLM-L6-v2","scene":"script.episode[\"1\"].scenes[\"5\"]"}','["script.episode[\"1\"].scenes[\"5\"]"]','','',0,'[]','[]','embedding.ep1["5"]');
INSERT INTO scriptsync_objects VALUES('bible.world','bible',1,'a1c33bd522bd97f0e5f3e7680dabb1b0196e4a958838ed095f735e418da16256','63c89e9c808f405eff527847663d208f406e301cc7db2aba01b4bc7a173ed129','{"chunks":7,"file_hash":"98d073795e6178ebd829d74baff85190a615d6f41f187b9cd1877fa073a9d345","file_path":"bibles/world.md","script":"script.episode[\"1\"]","title":"The Lighthouse Keepers: series bible"}','["script.episode[\"1\"]"]','','',0,'[]','[]','bible.world');
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('series',1);
INSERT INTO sqlite_sequence VALUES('scripts',2);
INSERT INTO sqlite_sequence VALUES('characters',4);
INSERT INTO sqlite_sequence VALUES('scenes',9);
INSERT INTO sqlite_sequence VALUES('dialogues',14);
INSERT INTO sqlite_sequence VALUES('actions',17);
INSERT INTO sqlite_sequence VALUES('embeddings',5);
INSERT INTO sqlite_sequence VALUES('script_bibles',1);
INSERT INTO sqlite_sequence VALUES('bible_chunks',7);
CREATE INDEX idx_scripts_title ON scripts (title);
CREATE INDEX idx_scripts_series_id ON scripts (series_id);
CREATE INDEX idx_scenes_script_id ON scenes (script_id);
CREATE INDEX idx_scenes_location ON scenes (location);
CREATE INDEX idx_characters_script_id ON characters (script_id);
CREATE INDEX idx_characters_name ON characters (name);
CREATE INDEX idx_dialogues_scene_id ON dialogues (scene_id);
CREATE INDEX idx_dialogues_character_id ON dialogues (character_id);
CREATE INDEX idx_actions_scene_id ON actions (scene_id);
CREATE INDEX idx_relationships_char1 ON character_relationships (character_id_1);
CREATE INDEX idx_relationships_char2 ON character_relationships (character_id_2);
CREATE INDEX idx_scene_edges_from ON scene_graph_edges (from_scene_id);
CREATE INDEX idx_scene_edges_to ON scene_graph_edges (to_scene_id);
CREATE INDEX idx_embeddings_entity ON embeddings (entity_type, entity_id);
CREATE INDEX idx_script_bibles_script_id ON script_bibles (script_id);
CREATE INDEX idx_script_bibles_file_hash ON script_bibles (file_hash);
CREATE INDEX idx_bible_chunks_bible_id ON bible_chunks (bible_id);
CREATE INDEX idx_bible_chunks_content_hash ON bible_chunks (content_hash);
CREATE INDEX idx_bible_chunks_parent ON bible_chunks (parent_chunk_id);
CREATE INDEX idx_bible_embeddings_chunk_id ON bible_embeddings (chunk_id);
CREATE INDEX idx_bible_references_chunk_id ON bible_references (chunk_id);
CREATE INDEX idx_bible_references_type ON bible_references (reference_type, reference_id);
CREATE INDEX idx_scriptsync_objects_type ON scriptsync_objects (type, row_id);
CREATE TRIGGER scriptsync_scene_embeddings AFTER DELETE ON scenes
BEGIN
  DELETE FROM embeddings WHERE entity_type = 'scene' AND entity_id = old.id;
END;
COMMIT;
