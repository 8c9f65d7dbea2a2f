DROP TABLE step_acknowledgements;
DROP TABLE campus_response_needs;
DROP TABLE campus_responses;
