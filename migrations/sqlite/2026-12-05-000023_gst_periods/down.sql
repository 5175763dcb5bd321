DROP TABLE gst_periods_closed;
