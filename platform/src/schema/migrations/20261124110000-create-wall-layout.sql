-- Video-wall layouts saved per user: a grid of 1/4/9/16/25 tiles and which camera sits in which tile.
CREATE TABLE wall_layout (
  user_id uuid NOT NULL,
  name text NOT NULL,
  grid smallint NOT NULL,
  -- [{ "tile": 0, "channelId": "43010200001310000001" }, …]
  tiles jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT wall_layout_pkey PRIMARY KEY (user_id, name),
  CONSTRAINT wall_layout_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_user (id) ON DELETE CASCADE,
  CONSTRAINT wall_layout_grid_check CHECK (grid IN (1, 4, 9, 16, 25)),
  CONSTRAINT wall_layout_name_check CHECK (length(name) BETWEEN 1 AND 64)
);
