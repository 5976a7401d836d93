ALTER TABLE `orders` ADD COLUMN `status` varchar(32) NOT NULL;
CREATE INDEX orders_status_idx ON `orders` (`status`);
