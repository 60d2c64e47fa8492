-- Inventory: the GB/T 2260 civil-area tree, devices, their catalog items and the users who see them.
-- Constraint and index names are spelled out (<table>_<column>_<kind>) so they are the same on every database.

CREATE TABLE civil_area (
  code text NOT NULL,
  name text NOT NULL,
  parent_code text,
  level smallint NOT NULL,
  -- '/4301/430102/430102001/': a subtree is `path LIKE '/4301/430102/%'`.
  path text NOT NULL,
  CONSTRAINT civil_area_pkey PRIMARY KEY (code),
  CONSTRAINT civil_area_parent_code_fkey FOREIGN KEY (parent_code) REFERENCES civil_area (code),
  CONSTRAINT civil_area_code_check CHECK (code ~ '^[0-9]{2,12}$'),
  CONSTRAINT civil_area_level_check CHECK (level BETWEEN 1 AND 4)
);
CREATE INDEX civil_area_parent_code_idx ON civil_area (parent_code);
CREATE INDEX civil_area_path_idx ON civil_area (path text_pattern_ops);

CREATE TABLE device (
  device_id text NOT NULL,
  name text,
  manufacturer text,
  model text,
  firmware text,
  kind text NOT NULL,
  transport text,
  remote_address text,
  status text NOT NULL DEFAULT 'offline',
  -- Time of the event that set `status`; older events arriving late never overturn a newer state.
  status_changed_at timestamptz,
  gb_version text,
  user_agent text,
  registered_at timestamptz,
  last_keepalive_at timestamptz,
  offline_reason text,
  offline_at timestamptz,
  -- Per-device SIP digest password, stored as given because the digest needs the clear text
  -- (or an HA1 bound to the gateway's realm). Encryption at rest is a follow-up.
  password text,
  charset text,
  keepalive_interval_sec integer,
  keepalive_count integer,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT device_pkey PRIMARY KEY (device_id),
  CONSTRAINT device_device_id_check CHECK (device_id ~ '^[0-9]{20}$'),
  CONSTRAINT device_status_check CHECK (status IN ('online', 'offline')),
  CONSTRAINT device_transport_check CHECK (transport IN ('udp', 'tcp')),
  CONSTRAINT device_gb_version_check CHECK (gb_version IN ('2016', '2022', 'unknown')),
  CONSTRAINT device_offline_reason_check CHECK (
    offline_reason IN ('keepalive-timeout', 'registration-expired', 'unregistered', 'connection-closed')
  ),
  CONSTRAINT device_keepalive_interval_sec_check CHECK (keepalive_interval_sec BETWEEN 1 AND 3600),
  CONSTRAINT device_keepalive_count_check CHECK (keepalive_count BETWEEN 1 AND 100)
);
CREATE INDEX device_status_idx ON device (status);

-- Every catalog item a device reported (civil areas, business groups, virtual organisations, devices and
-- channels): the tree as the device sees it. Only kind 'channel' items are cameras.
CREATE TABLE channel (
  device_id text NOT NULL,
  channel_id text NOT NULL,
  kind text NOT NULL,
  name text NOT NULL DEFAULT '',
  manufacturer text,
  model text,
  owner text,
  civil_code text,
  block text,
  address text,
  parental boolean NOT NULL DEFAULT false,
  parent_id text,
  business_group_id text,
  register_way smallint,
  secrecy smallint,
  ip_address text,
  port integer,
  longitude double precision,
  latitude double precision,
  ptz_type smallint,
  reported_status text NOT NULL DEFAULT 'offline',
  last_event text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT channel_pkey PRIMARY KEY (device_id, channel_id),
  CONSTRAINT channel_device_id_fkey FOREIGN KEY (device_id) REFERENCES device (device_id) ON DELETE CASCADE,
  CONSTRAINT channel_channel_id_check CHECK (length(channel_id) BETWEEN 1 AND 64),
  CONSTRAINT channel_kind_check CHECK (kind IN ('civil', 'business-group', 'virtual-org', 'device', 'channel')),
  CONSTRAINT channel_reported_status_check CHECK (reported_status IN ('online', 'offline')),
  CONSTRAINT channel_last_event_check CHECK (
    last_event IN ('ON', 'OFF', 'VLOST', 'DEFECT', 'ADD', 'DEL', 'UPDATE')
  )
);
CREATE INDEX channel_civil_code_idx ON channel (civil_code text_pattern_ops);
CREATE INDEX channel_kind_idx ON channel (kind);

CREATE TABLE app_user (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  username text NOT NULL,
  -- scrypt$<N>$<r>$<p>$<salt base64url>$<key base64url>
  password_hash text NOT NULL,
  role text NOT NULL,
  -- Jurisdiction: the user sees the subtree of this civil area.
  civil_code text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT app_user_pkey PRIMARY KEY (id),
  CONSTRAINT app_user_username_key UNIQUE (username),
  CONSTRAINT app_user_civil_code_fkey FOREIGN KEY (civil_code) REFERENCES civil_area (code),
  CONSTRAINT app_user_role_check CHECK (role IN ('admin', 'operator', 'viewer')),
  CONSTRAINT app_user_username_check CHECK (username ~ '^[A-Za-z0-9_.@-]{1,64}$')
);
