-- When a camera's health last changed (reported ON/OFF, VLOST, DEFECT…): the outage panel sorts by how long a
-- point has been down. Kept by a trigger so every write path (catalog upsert, NOTIFY events) records it alike.
ALTER TABLE channel ADD COLUMN health_changed_at timestamptz NOT NULL DEFAULT now();

CREATE FUNCTION channel_health_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.reported_status IS DISTINCT FROM OLD.reported_status OR NEW.last_event IS DISTINCT FROM OLD.last_event THEN
    NEW.health_changed_at := now();
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER channel_health_changed_trg BEFORE UPDATE ON channel
  FOR EACH ROW EXECUTE FUNCTION channel_health_changed();

