DROP TABLE action_item_learning;
DROP TABLE session_registrations;
DROP TABLE learning_sessions;
DROP TABLE offering_look_fors;
DROP TABLE offerings;
DROP TABLE learning_series;
