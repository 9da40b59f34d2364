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
INSERT INTO scripts VALUES(1,'Outline',NULL,'2026-12-01 13:05:50','2026-12-01 13:05:50',NULL,'fountain','{"content_hash":"d0acb59667e885b955f597b3f9c1636c6f77681ee4a4d91c781a965f6af7c0b5"}',1,1,NULL,NULL,NULL,NULL,NULL);
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
INSERT INTO scenes VALUES(1,1,1,'INT. ER - NIGHT','ER','NIGHT',replace('INT. ER - NIGHT\n\nRain hammers the ambulance bay.','\n',char(10)),'2026-12-01 13:05:50','2026-12-01 13:05:50','{"content_hash":"22c3aa2932a1f18a097b2623c22be1f59d4cc4d4cb652ab5d41d57ddd19be5a7"}',NULL);
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
CREATE TABLE actions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scene_id INTEGER NOT NULL REFERENCES scenes (id) ON DELETE CASCADE,
  action_text TEXT NOT NULL,
  order_in_scene INTEGER NOT NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  metadata JSON
);
INSERT INTO actions VALUES(1,1,'Rain hammers the ambulance bay.',0,'2026-12-01 13:05:50','2026-12-01 13:05:50',NULL);
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
CREATE TABLE schema_version (
  version INTEGER NOT NULL,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  description TEXT,
  PRIMARY KEY (version)
);
INSERT INTO schema_version VALUES(1,'2026-12-01 13:05:50','Initial ScriptRAG database schema');
INSERT INTO schema_version VALUES(2,'2026-12-01 13:05:50','scriptsync: scripts unique by file_path only');
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
INSERT INTO script_bibles VALUES(1,NULL,'bibles/world.md','World','2026-12-01 13:05:50','2026-12-01 13:05:50','d96b784627f3e00b9e48b8685ed8dcd5a4d5338f6efb8d7cd4900b6b10bf1af0',NULL);
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
INSERT INTO bible_chunks VALUES(1,1,1,'World',1,'The hospital never sleeps.','0a8d4f210f5f4a7f3358014f4dd83947efe94df64f078069b3cc48c7b54396ac',NULL,'2026-12-01 13:05:50','2026-12-01 13:05:50',NULL);
INSERT INTO bible_chunks VALUES(2,1,2,'The ward',2,'Twelve beds, one window.','bf5a118dd7e6dc97c99bd756099fef01e1d4c3050ba5e6afab1cc9f2eb62279b',1,'2026-12-01 13:05:50','2026-12-01 13:05:50',NULL);
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
INSERT INTO scriptsync_meta VALUES('peers','{"git":"1096d9c4c82abff69b3ddaab8ad7f2b0d11f8abe"}');
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
INSERT INTO scriptsync_objects VALUES('script.outline','script',1,'82f9c2e2d56393392d08831fd011f70044f0df510399ea3a1308e06e79c00bdc','','{"author":"","content_hash":"d0acb59667e885b955f597b3f9c1636c6f77681ee4a4d91c781a965f6af7c0b5","episode":null,"file_path":null,"format":"fountain","metadata":{},"season":null,"series_title":"","title":"Outline"}','[]','','',0,'[]','[]','script.outline');
INSERT INTO scriptsync_objects VALUES('scene.open','scene',1,'4a6035cd8cacb9c47494af86879fd179bc91a533d5d2a351997be4836032c84e','64c3af42ca20a3b5832a236ae3be4d01f6634565b33401818530c6d77e5fc54a','{"actions":1,"content_hash":"22c3aa2932a1f18a097b2623c22be1f59d4cc4d4cb652ab5d41d57ddd19be5a7","dialogues":0,"heading":"INT. ER - NIGHT","location":"ER","scene_number":1,"time_of_day":"NIGHT"}','["script.outline"]','','',0,'[]','[]','scene.open');
INSERT INTO scriptsync_objects VALUES('bible.world','bible',1,'c656f940bbc37525ab75429be76b88eeadcd70d8596d89e132e4af46f98bb856','39dd87bfb4a770e6115026d3144fef7ede1bb4637742b9d1f5bc1190cfb75607','{"chunks":2,"file_hash":"d96b784627f3e00b9e48b8685ed8dcd5a4d5338f6efb8d7cd4900b6b10bf1af0","file_path":"bibles/world.md","script":null,"title":"World"}','[]','','',0,'[]','[]','bible.world');
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('scripts',1);
INSERT INTO sqlite_sequence VALUES('scenes',1);
INSERT INTO sqlite_sequence VALUES('actions',1);
INSERT INTO sqlite_sequence VALUES('script_bibles',1);
INSERT INTO sqlite_sequence VALUES('bible_chunks',2);
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
