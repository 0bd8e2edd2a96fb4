DROP TABLE admin_sessions;
DROP TABLE admins;
