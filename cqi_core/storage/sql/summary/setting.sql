-- One value from the settings table.
SELECT value FROM settings WHERE name = $name
