DROP TABLE plans;
DROP TABLE localities;
DROP TABLE companies;
