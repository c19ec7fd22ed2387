-- Prefect keeps its own database beside channelops' (never in the same one).
CREATE DATABASE prefect OWNER channelops;
