DROP TABLE problem_departments;
DROP TABLE problems_of_practice;
DROP TABLE debriefs;
