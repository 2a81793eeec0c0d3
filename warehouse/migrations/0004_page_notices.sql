-- Correction/update notices ("Исправление", "Обновлено", "Correction", "Updated") seen on the
-- last fetched page of each cited URL, as a JSON list.  The check cycle compares each new page
-- with these so that a notice raises one `citation_changed` event, not one per re-fetch.
ALTER TABLE url_state ADD COLUMN notices VARCHAR;
