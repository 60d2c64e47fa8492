-- Upper platforms this instance registers to (cascade, Changsha Measures arts. 12–13), what each may see, and the
-- state of the link as the gateway last reported it.
CREATE TABLE upper_platform (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  name text NOT NULL,
  sip_id text NOT NULL,
  domain text NOT NULL,
  host text NOT NULL,
  port integer NOT NULL,
  transport text NOT NULL DEFAULT 'udp',
  -- Our ID as the upper knows us; null = the gateway's own SIP ID.
  local_id text,
  -- Digest password configured on the upper; clear text because the digest needs it.
  password text NOT NULL DEFAULT '',
  register_expires_sec integer NOT NULL DEFAULT 3600,
  keepalive_interval_sec integer NOT NULL DEFAULT 60,
  keepalive_count integer NOT NULL DEFAULT 3,
  charset text NOT NULL DEFAULT 'gb2312',
  enabled boolean NOT NULL DEFAULT true,
  -- What is shared: channels under these civil-code subtrees, of these devices, or these channels (union).
  share_civil_codes text[] NOT NULL DEFAULT '{}',
  share_device_ids text[] NOT NULL DEFAULT '{}',
  share_channel_ids text[] NOT NULL DEFAULT '{}',
  -- Per-channel ID/name shown to this upper: { "<local channel id>": { "id": "...", "name": "..." } }.
  remap jsonb NOT NULL DEFAULT '{}'::jsonb,
  link_state text NOT NULL DEFAULT 'registering',
  link_detail text,
  link_retry_at timestamptz,
  link_changed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT upper_platform_pkey PRIMARY KEY (id),
  CONSTRAINT upper_platform_sip_id_key UNIQUE (sip_id),
  CONSTRAINT upper_platform_sip_id_check CHECK (sip_id ~ '^[0-9]{20}$'),
  CONSTRAINT upper_platform_local_id_check CHECK (local_id ~ '^[0-9]{20}$'),
  CONSTRAINT upper_platform_port_check CHECK (port BETWEEN 1 AND 65535),
  CONSTRAINT upper_platform_transport_check CHECK (transport IN ('udp', 'tcp')),
  CONSTRAINT upper_platform_charset_check CHECK (charset IN ('gb2312', 'gb18030', 'utf-8')),
  CONSTRAINT upper_platform_register_expires_sec_check CHECK (register_expires_sec BETWEEN 60 AND 86400),
  CONSTRAINT upper_platform_keepalive_interval_sec_check CHECK (keepalive_interval_sec BETWEEN 1 AND 3600),
  CONSTRAINT upper_platform_keepalive_count_check CHECK (keepalive_count BETWEEN 1 AND 100),
  CONSTRAINT upper_platform_link_state_check CHECK (link_state IN ('disabled', 'registering', 'registered', 'failed'))
);
