DROP TABLE indicator_ticks;
DROP TABLE observations;
