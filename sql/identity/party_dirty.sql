-- Representatives of the groups holding a dirty record: the left side of an incremental prediction.
select * from party_all
where uid in (select uid from dirty_anchors)
