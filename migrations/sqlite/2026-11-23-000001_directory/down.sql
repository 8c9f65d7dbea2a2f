DROP TABLE users;
DROP TABLE departments;
DROP TABLE schools;
