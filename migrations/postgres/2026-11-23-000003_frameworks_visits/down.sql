DROP TABLE visit_segments;
DROP TABLE visit_members;
DROP TABLE visits;
DROP TABLE indicators;
DROP TABLE framework_domains;
DROP TABLE frameworks;
