DROP TABLE notifications;
DROP TABLE connection_requests;
DROP TABLE complaints;
