-- Accounts: a user can be disabled (kept for the record, cannot log in), and every bearer token names a
-- session row so one token can be revoked (logout) and all of a user's tokens at once (disable, delete,
-- password change). A token whose session row is missing, revoked or past expires_at is refused.
ALTER TABLE app_user ADD COLUMN disabled_at timestamptz;

CREATE TABLE user_session (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The token's exp: a session never outlives the lifetime it was issued with.
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  CONSTRAINT user_session_pkey PRIMARY KEY (id),
  CONSTRAINT user_session_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_user (id) ON DELETE CASCADE
);
CREATE INDEX user_session_user_id_idx ON user_session (user_id);
CREATE INDEX user_session_expires_at_idx ON user_session (expires_at);
