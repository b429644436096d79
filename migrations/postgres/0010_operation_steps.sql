-- Operation steps and the external id; see ../0010_operation_steps.sql.
ALTER TABLE operations ADD COLUMN step TEXT COLLATE "C" NOT NULL DEFAULT 'created';
ALTER TABLE operations ADD COLUMN external_id TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE operations SET step = 'sending', deployment_id = '' WHERE deployment_id = 'sending';
UPDATE operations SET step = 'sent', external_id = deployment_id, deployment_id = ''
	WHERE action = 'droplet' AND deployment_id <> '';
UPDATE operations SET step = 'sent'
	WHERE step = 'created' AND (deployment_id <> '' OR (action = 'launch' AND resource_id <> ''));
