const express = require("express");
const router = express.Router();

router.get("/users/:id", auth, async (req, res) => {
  res.json(await Users.find(req.params.id));
});

router.post('/users', validate(userSchema), async (req, res) => {
  res.status(201).json(await Users.create(req.body));
});

app.delete(`/sessions/:token`, logout);

// A call to another service, not a route of ours.
const profile = await axios.get("/profiles/123");

module.exports = router;
