DROP TABLE logos;
DROP TABLE settings;
